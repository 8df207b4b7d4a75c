"""REST endpoints of the annual assessment: read everything in scope, act through the services.
A concurrent change answers 409, a wrong person 403, an illegal move or bad input 400."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments import services
from assessments.filters import ResultFilterSet
from assessments.models import Indicator, Result, Run, Scheme, Score
from assessments.selectors import ranking, scheme_list, scores_of
from assessments.serializers import (
    AdjustSerializer,
    BulkReportSerializer,
    BulkTransitionSerializer,
    CopySerializer,
    IndicatorSerializer,
    RankingRowSerializer,
    ResumeSerializer,
    ResultDetailSerializer,
    ResultSerializer,
    RunSerializer,
    SchemeSerializer,
    ScoreSerializer,
    StartSerializer,
    TransitionSerializer,
    TreeItemSerializer,
)
from core.api import ScopedSerializerMixin, VersionedReadMixin, VersionedViewSetMixin
from core.contention import Busy


def _errors(exc: DjangoValidationError):
    return exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}


class ServiceErrorsMixin(ScopedSerializerMixin):
    answers_conflicts = True  # services.Conflict is a 409 (documented by core.api_docs.AutoSchema)

    def handle_exception(self, exc):
        if isinstance(exc, services.Conflict):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, DjangoValidationError) and not isinstance(exc, Busy):  # Busy: 503, core.api_auth
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)


class SchemeViewSet(ServiceErrorsMixin, VersionedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    viewsets.ReadOnlyModelViewSet):
    queryset = Scheme.objects.select_related("district")
    serializer_class = SchemeSerializer

    def get_queryset(self):
        return scheme_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.scheme_create(
            actor=self.request.user, district=data["district"], year=data["year"], name=data.get("name", ""),
            source=data.get("source"),
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in ("name", "excellent_from", "good_from", "pass_from")}
        serializer.instance = self.versioned_update(
            services.scheme_update, actor=self.request.user, scheme=serializer.instance, **data
        )

    @extend_schema(responses=TreeItemSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as documented
    def tree(self, request, pk=None):
        return Response(services.scheme_tree(self.get_object()))

    @extend_schema(request=StartSerializer, responses={201: RunSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        s = StartSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        run = services.run_start(actor=request.user, scheme=self.get_object(), chunk_size=s.validated_data["chunk_size"])
        run.refresh_from_db()
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CopySerializer, responses={201: SchemeSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """复制到新年度: the scheme with its indicators and thresholds, for another year of the same district."""
        source = self.get_object()
        s = CopySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        scheme = services.scheme_create(actor=request.user, district=source.district, year=s.validated_data["year"],
                                        name=s.validated_data.get("name", ""), source=source)
        return Response(SchemeSerializer(scheme, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RankingRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as documented
    def ranking(self, request, pk=None):
        rows = ranking(user=request.user, scheme=self.get_object())
        return Response([
            {"community": r.result.community_id, "community_name": r.result.community.name,
             "street": r.result.community.parent.name, "final_total": str(r.result.final_total),
             "district_rank": r.district_rank, "street_rank": r.street_rank, "grade": r.grade,
             "state": r.result.state}
            for r in rows
        ])


class IndicatorViewSet(ServiceErrorsMixin, VersionedViewSetMixin, viewsets.ModelViewSet):
    queryset = Indicator.objects.select_related("scheme__district", "parent")
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        qs = super().get_queryset().visible_to(self.request.user)
        scheme = self.request.query_params.get("scheme")
        return qs.filter(scheme_id=scheme) if scheme and scheme.isdigit() else qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        scheme = data.pop("scheme")
        if not Scheme.objects.visible_to(self.request.user).filter(pk=scheme.pk).exists():
            raise exceptions.NotFound()
        serializer.instance = services.indicator_create(actor=self.request.user, scheme=scheme, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("scheme", None)
        serializer.instance = self.versioned_update(
            services.indicator_update, actor=self.request.user, indicator=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        services.indicator_delete(actor=self.request.user, indicator=instance)


class RunViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Scoring jobs with their progress (done / total, percent)."""

    queryset = Run.objects.all()
    serializer_class = RunSerializer

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(request=None, responses=ResumeSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        run = self.get_object()
        services._may_manage(request.user, run.scheme.district)
        queued = services.run_resume(run_id=run.pk)
        return Response({"queued_chunks": queued})


class ResultViewSet(ServiceErrorsMixin, VersionedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Each community's result; ``transition`` moves it through the workflow."""

    queryset = Result.objects.select_related("community__parent", "scheme")
    serializer_class = ResultSerializer
    filterset_class = ResultFilterSet

    def get_queryset(self):
        qs = super().get_queryset().visible_to(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("scores__indicator", "scores__adjusted_by", "events__actor")
        return qs

    def get_serializer_class(self):
        return ResultDetailSerializer if self.action == "retrieve" else ResultSerializer

    @extend_schema(request=TransitionSerializer, responses=ResultSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        result = self.get_object()
        s = TransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        result = services.result_transition(actor=request.user, result=result, **s.validated_data)
        return Response(ResultSerializer(result).data)

    @extend_schema(request=BulkTransitionSerializer, responses=BulkReportSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-transition")
    def bulk_transition(self, request):
        """批量提交 / 通过 / 退回: each row on its own (one transaction per row); the answer is 200
        with every row's outcome (ok, conflict, invalid, forbidden, missing)."""
        s = BulkTransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        outcomes = services.results_bulk_transition(
            actor=request.user, action=data["action"], comment=data.get("comment", ""),
            rows=[(row["id"], row.get("version")) for row in data["results"]],
            visible=Result.objects.visible_to(request.user))
        done = sum(1 for o in outcomes if o.ok)
        return Response(BulkReportSerializer({"done": done, "failed": len(outcomes) - done, "results": outcomes}).data)

    @extend_schema(responses=ScoreSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, as documented
    def scores(self, request, pk=None):
        return Response(ScoreSerializer(scores_of(self.get_object()), many=True).data)


class ScoreViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Score.objects.select_related("indicator", "adjusted_by", "result")
    serializer_class = ScoreSerializer

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(request=AdjustSerializer, responses=ScoreSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        score = self.get_object()
        s = AdjustSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        score = services.score_adjust(actor=request.user, score=score, **s.validated_data)
        return Response(ScoreSerializer(score).data)
