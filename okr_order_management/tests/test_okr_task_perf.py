from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_okr_tasks import PROJECT_USER, OkrTaskCase

#: Queries of opening the department kanban as a Project user: the groups
#: (its columns one query), the progress bars and the first page of its two
#: full columns (with their counts, which the web client shows), measured on
#: Odoo 18.0 with 100 and 1,000 tasks. Every empty column (a department of a
#: key result searched, without tasks) adds one: its page.
KANBAN_QUERIES = 25
#: What the kanban widget ``kanban_activity`` reads besides its field.
ACTIVITY_FIELDS = (
    "activity_exception_decoration",
    "activity_exception_icon",
    "activity_state",
    "activity_summary",
    "activity_type_icon",
    "activity_type_id",
)
#: Cards per column that the kanban loads first.
COLUMN_LIMIT = 40
STATES = ("01_in_progress", "02_changes_requested", "03_approved", "1_done")


@tagged("post_install", "-at_install")
class TestOkrTaskKanbanQueries(OkrTaskCase):
    """The department kanban costs the same queries whatever the number of
    tasks: every column is one query for its page, whatever its size."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kanban_user = new_test_user(
            cls.env, login="okr_task_kanban", groups=PROJECT_USER
        )
        cls.departments = cls.it | cls.hr
        cls.key_results = cls.kr_it | cls.kr_hr
        cls.spec = cls._kanban_spec()
        cls.domain = [("okr_key_result_id", "in", cls.key_results.ids)]
        cls.env = cls.env(user=cls.kanban_user)

    @classmethod
    def _kanban_spec(cls):
        """The fields the kanban view reads, as the web client asks them."""
        view = cls.env.ref("okr_order_management.project_task_okr_view_kanban")
        fields = cls.env["project.task"].get_views([(view.id, "kanban")])["models"][
            "project.task"
        ]["fields"]
        tasks = cls.env["project.task"]
        spec = {}
        for fname in list(fields) + list(ACTIVITY_FIELDS):
            field = tasks._fields[fname]
            spec[fname] = {"fields": {"display_name": {}}} if field.relational else {}
        return spec

    def _create_tasks(self, count):
        users = self.env["res.users"].browse(self.kanban_user.ids)
        self.env["project.task"].sudo().with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        ).create(
            [
                {
                    "name": f"Kanban task {index}",
                    "okr_key_result_id": self.key_results[index % 2].id,
                    "state": STATES[index % len(STATES)],
                    "priority": str(index % 2),
                    "date_deadline": f"2026-12-{index % 28 + 1:02d} 12:00:00",
                    "user_ids": [Command.set(users.ids)],
                }
                for index in range(count)
            ]
        )

    def _open_kanban(self):
        tasks = self.env["project.task"]
        groups = tasks.web_read_group(
            self.domain, ["state"], ["okr_department_id"], lazy=True
        )["groups"]
        tasks.read_progress_bar(
            self.domain,
            "okr_department_id",
            {"field": "state", "colors": {"1_done": "success-done"}},
        )
        for group in groups:
            tasks.web_search_read(
                group["__domain"],
                self.spec,
                limit=COLUMN_LIMIT,
                order="priority desc, date_deadline asc, id desc",
            )
        return groups

    def _queries(self):
        self.env.invalidate_all()
        self._open_kanban()  # warm the caches: rules, views, translations
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        groups = self._open_kanban()
        return self.env.cr.sql_log_count - start, groups

    def test_kanban_queries_do_not_grow_with_the_tasks(self):
        # 50 tasks a column: a full first page, as with 500.
        self._create_tasks(100)
        few, groups = self._queries()
        self._create_tasks(900)
        many, groups_many = self._queries()
        self.assertEqual(len(groups), len(groups_many))
        self.assertEqual(
            sum(group["okr_department_id_count"] for group in groups_many), 1000
        )
        self.assertEqual(few, many, "the same queries for 100 and 1,000 tasks")
        # The columns: the IT key result's, and no department (the other key
        # result has none, nor its assignee); no department without work.
        self.assertEqual(
            [
                group["okr_department_id"] and group["okr_department_id"][0]
                for group in groups_many
            ],
            [self.it.id, False],
        )
        self.env.invalidate_all()
        self._open_kanban()
        self.env.invalidate_all()
        with self.assertQueryCount(KANBAN_QUERIES):
            self._open_kanban()

    def test_an_empty_column_costs_its_page(self):
        self._create_tasks(100)
        # Its key result's department: a column without tasks.
        self.kr_hr.sudo().department_id = self.hr
        groups = self._queries()[1]
        self.assertEqual(
            {
                group["okr_department_id"][0]: group["okr_department_id_count"]
                for group in groups
                if group["okr_department_id"]
            },
            {self.it.id: 50, self.hr.id: 0},
        )
        self.env.invalidate_all()
        self._open_kanban()
        self.env.invalidate_all()
        with self.assertQueryCount(KANBAN_QUERIES + 1):
            self._open_kanban()
