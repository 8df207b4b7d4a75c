"""The child process that parses an uploaded workbook (run by :func:`core.excel.read_upload`).

A parser bug or a hostile file can cost minutes of CPU inside one call of the XML parser
(expat re-scans a long token on every chunk), which no check between rows can interrupt.
So the parse runs here, in a separate process with its own memory limit, and the web worker
kills it when the time budget is spent. This module imports nothing of Django: the parent
turns the outcome codes into translated messages.

Protocol: a pickled dict on stdin (``data``, ``max_rows``, ``max_sheet_rows``,
``max_columns``, ``memory_bytes``); a pickled tuple on stdout, either
``("ok", headers, body)`` or ``("error", code, params)``.
"""

from __future__ import annotations

import io
import pickle
import sys


def parse(data: bytes, *, max_rows: int, max_sheet_rows: int, max_columns: int) -> tuple:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except MemoryError:
        raise
    except Exception:  # openpyxl raises many kinds on malformed parts
        return ("error", "not_xlsx", {})
    try:
        if not wb.worksheets:
            return ("error", "not_xlsx", {})
        ws = wb.worksheets[0]
        # The declared dimension is read from the sheet's first bytes: openpyxl fills every
        # row up to it, so a declared million rows would cost a million empty rows.
        try:
            declared_rows, declared_columns = ws.max_row, ws.max_column
        except Exception:
            return ("error", "not_xlsx", {})
        if declared_rows is not None and declared_rows > max_sheet_rows:
            return ("error", "declared_rows", {"rows": declared_rows, "limit": max_sheet_rows})
        if declared_columns is not None and declared_columns > max_columns:
            return ("error", "declared_columns", {"columns": declared_columns, "limit": max_columns})
        rows = ws.iter_rows(max_col=max_columns, values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return ("error", "empty", {})
        headers = [str(h).strip() if h is not None else "" for h in header_row]
        while headers and headers[-1] == "":
            headers.pop()
        body = []
        for number, values in enumerate(rows, start=2):
            if number > max_sheet_rows:  # blank rows count here: openpyxl makes each of them
                return ("error", "sheet_rows", {"limit": max_sheet_rows})
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            body.append((number, tuple(values)))
            if len(body) > max_rows:
                return ("error", "rows", {"limit": max_rows})
        return ("ok", headers, body)
    except MemoryError:
        raise
    except Exception:
        return ("error", "not_xlsx", {})
    finally:
        wb.close()


def main() -> None:
    request = pickle.load(sys.stdin.buffer)
    try:
        import resource

        limit = request["memory_bytes"]
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time budget still holds
        pass
    try:
        outcome = parse(
            request["data"],
            max_rows=request["max_rows"],
            max_sheet_rows=request["max_sheet_rows"],
            max_columns=request["max_columns"],
        )
    except MemoryError:
        outcome = ("error", "memory", {})
    pickle.dump(outcome, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
