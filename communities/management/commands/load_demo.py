from django.apps import apps
from django.contrib.auth import get_user_model
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.policy import profile_of
from communities.demo import load_tree
from communities.models import Node
from core.models import ApiToken, Assignment, Role, hash_token

DEMO_PASSWORD = "Sanqi@2026"
DEMO_TOKEN = "sanqi-demo-readonly-token-620102"
# username, full name (last, first), node code, role, superuser
DEMO_USERS = [
    ("admin", ("系统", "管理员"), None, None, True),
    ("district_reviewer", ("王", "审核"), "620102000000", Role.REVIEWER, False),
    ("street_clerk", ("李", "录入"), "620102017000", Role.ENTRY, False),
    ("community_clerk", ("张", "社区"), "620102017001", Role.ENTRY, False),
    ("neighbour_clerk", ("赵", "邻街"), "620102014000", Role.ENTRY, False),
    ("city_viewer", ("刘", "查看"), "620100000000", Role.VIEWER, False),
    ("api_dashboard", ("大屏", "接口"), "620102000000", Role.VIEWER, False),
    # 三员分立 of the district: accounts, security, audit (系统管理 in the portal).
    ("district_admin", ("陈", "管理"), "620102000000", Role.ADMIN, False),
    ("district_security", ("孙", "安全"), "620102000000", Role.SECURITY, False),
    ("district_auditor", ("周", "审计"), "620102000000", Role.AUDITOR, False),
]
ROLE_TEXT = {
    None: "系统管理员", Role.REVIEWER: "区委组织部审核员", Role.ENTRY: "录入员", Role.VIEWER: "查看员",
    Role.ADMIN: "管理员（账号与区划）", Role.SECURITY: "安全管理员", Role.AUDITOR: "审计员",
}


class Command(BaseCommand):
    help = "Load the demo district 兰州市城关区 and its demo users; running it again changes nothing."

    def handle(self, *args, **options):
        # The demo users share one published password and a published token: never on a server
        # that runs in production mode (checked before the database is touched).
        if not settings.DEBUG:
            raise CommandError("演示数据带有公开的密码和令牌，只能在开发或演示环境（DEBUG=1）中导入；当前 DEBUG=0，已拒绝。")
        self.load()

    @transaction.atomic
    def load(self):
        created = load_tree()
        User = get_user_model()
        nodes = {n.code: n for n in Node.objects.filter(code__in=[u[2] for u in DEMO_USERS if u[2]])}
        lines = []
        for username, (last, first), code, role, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, last_name=last, first_name=first, is_superuser=superuser, is_staff=superuser)
                user.set_password(DEMO_PASSWORD)
                user.save()
            if code:
                Assignment.objects.get_or_create(user=user, node=nodes[code], role=role)
                profile = profile_of(user)  # the account belongs where its role is
                if profile.node_id is None:
                    profile.node = nodes[code]
                    profile.save()
            where = f"{nodes[code].name}（{code}）" if code else "全部区划"
            lines.append(f"  {username:<18} {DEMO_PASSWORD}   {ROLE_TEXT[role]} · {where}")
        if not ApiToken.objects.filter(key_hash=hash_token(DEMO_TOKEN)).exists():
            token = ApiToken(user=User.objects.get(username="api_dashboard"), name="大屏只读令牌", read_only=True)
            token.set_key(DEMO_TOKEN)
            token.save()
        self.stdout.write(f"演示数据：新建 {created} 个区划节点（已有的保持不变）。")
        # Each domain app may add its demo data: AppConfig.sanqi_demo names an idempotent
        # function that returns one line to print.
        for config in apps.get_app_configs():
            loader = getattr(config, "sanqi_demo", None)
            if loader:
                self.stdout.write(import_string(loader)())
        # The loaders write in bulk, without the save signals that mark the facts table: count
        # the demo district's figures once here, so its dashboards and scoring read them.
        from figures.refresh import rebuild, years

        rows = rebuild(year_list=years(), prefix="620102")  # 兰州市城关区
        self.stdout.write(f"统计数据：已计算 {rows} 条社区年度数据。")
        self.stdout.write("演示账号（用户名 / 密码 / 角色 · 范围）：")
        self.stdout.write("\n".join(lines))
        self.stdout.write(f"  API 只读令牌：Authorization: Token {DEMO_TOKEN}")
