from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import Q4_END, Q4_START, OkrCase, call_kw

PROJECT_USER = "base.group_user,project.group_project_user"


class OkrTaskCase(OkrCase):
    """A company objective with two key results (the IT one with the IT
    department), a Project user who works on them, a plain OKR user, and
    another company with its own key result."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker = new_test_user(
            cls.env, login="okr_task_worker", groups=PROJECT_USER
        )
        cls.reader = new_test_user(
            cls.env, login="okr_task_reader", groups="base.group_user"
        )
        cls.it = cls.env["hr.department"].create(
            {"name": "Task IT", "company_id": cls.company.id}
        )
        cls.hr = cls.env["hr.department"].create(
            {"name": "Task HR", "company_id": cls.company.id}
        )
        cls.objective = cls._create_objective()
        cls.kr_it = cls._create_key_result(
            cls.objective, 20, 80, name="Orders entered without re-keying"
        )
        cls.kr_it.department_id = cls.it
        cls.kr_hr = cls._create_key_result(
            cls.objective, 0, 20, name="Customer service staff trained"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Task Other Co"})
        other_cycle = cls.env["okr.cycle"].create(
            {
                "name": "Other 2026 Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.other_company.id,
            }
        )
        other_objective = cls.env["okr.objective"].create(
            {
                "name": "Other company objective",
                "cycle_id": other_cycle.id,
                "company_id": cls.other_company.id,
            }
        )
        cls.kr_other = cls._create_key_result(
            other_objective, 0, 10, name="Other company key result"
        )
        cls.project = cls.company._okr_initiatives_project()

    @classmethod
    def _task(cls, key_result, name="Streamline order entry", **vals):
        env = vals.pop("env", cls.env)
        return env["project.task"].create(
            {"name": name, "okr_key_result_id": key_result.id, **vals}
        )


@tagged("post_install", "-at_install")
class TestOkrTasks(OkrTaskCase):
    def test_task_from_key_result_goes_to_the_company_project(self):
        task = self._task(self.kr_it, env=self.env(user=self.worker))
        self.assertEqual(task.project_id, self.project)
        self.assertEqual(self.project.privacy_visibility, "employees")
        self.assertEqual(self.project.company_id, self.company)
        self.assertEqual(task.okr_objective_id, self.objective)
        self.assertEqual(task.okr_cycle_id, self.cycle)
        self.assertEqual(task.okr_department_id, self.it, "the key result's")
        self.assertEqual(task.stage_id, self.project.type_ids[:1])
        # The same default in a form opened from the key result.
        defaults = (
            self.env["project.task"]
            .with_user(self.worker)
            .with_context(default_okr_key_result_id=self.kr_hr.id)
            .default_get(["project_id", "okr_key_result_id"])
        )
        self.assertEqual(defaults["project_id"], self.project.id)

    def test_department_defaults_to_the_assignee_s(self):
        self.env["hr.employee"].create(
            {
                "name": "Worker",
                "user_id": self.worker.id,
                "department_id": self.hr.id,
                "company_id": self.company.id,
            }
        )
        task = self._task(
            self.kr_hr,
            env=self.env(user=self.worker),
            user_ids=[Command.set(self.worker.ids)],
        )
        self.assertEqual(task.okr_department_id, self.hr)
        # A department given wins over both.
        task = self._task(
            self.kr_it, okr_department_id=self.hr.id, env=self.env(user=self.worker)
        )
        self.assertEqual(task.okr_department_id, self.hr)
        # Tasks of no key result get none: they are not OKR work.
        other = self.env["project.task"].create(
            {
                "name": "Not OKR work",
                "project_id": self.project.id,
                "user_ids": [Command.set(self.worker.ids)],
            }
        )
        self.assertFalse(other.okr_department_id)

    def test_counters_are_work_progress_beside_progress(self):
        progress = self.kr_it.progress
        tasks = self.env["project.task"]
        for state in ("1_done", "01_in_progress", "04_waiting_normal", "1_canceled"):
            tasks |= self._task(self.kr_it, name=f"Task {state}", state=state)
        self._task(self.kr_hr, state="1_done")
        self.env.invalidate_all()
        self.assertEqual(
            (self.kr_it.task_done_count, self.kr_it.task_count),
            (1, 3),
            "cancelled work is no work to do",
        )
        self.assertEqual(
            (self.objective.task_done_count, self.objective.task_count), (2, 4)
        )
        tasks.filtered(lambda t: t.state == "01_in_progress").state = "1_done"
        self.env.invalidate_all()
        self.assertEqual((self.kr_it.task_done_count, self.kr_it.task_count), (2, 3))
        self.assertEqual(self.kr_it.progress, progress, "tasks never move progress")
        # As an OKR user: one query for the counters of a page of objectives.
        objectives = (self.objective | self._create_objective()).with_user(self.reader)
        objectives.mapped("task_done_count")  # the user's rules, cached
        objectives.invalidate_recordset()
        with self.assertQueryCount(1):
            self.assertEqual(objectives.mapped("task_done_count"), [3, 0])

    def test_counters_count_what_the_reader_may_see(self):
        private = self.env["project.project"].create(
            {
                "name": "Followers only",
                "privacy_visibility": "followers",
                "company_id": self.company.id,
            }
        )
        self._task(self.kr_it, project_id=private.id)
        self._task(self.kr_it)
        self.assertEqual(self.kr_it.with_user(self.reader).task_count, 1)
        self.assertEqual(self.kr_it.task_count, 2)

    def test_key_result_must_be_readable(self):
        """A key result of another company is not the worker's to work on,
        whether a task joins it or leaves it."""
        with self.assertRaisesRegex(UserError, "you may not read it"):
            self._task(self.kr_other, env=self.env(user=self.worker))
        task = self._task(self.kr_it, env=self.env(user=self.worker))
        with self.assertRaisesRegex(UserError, "you may not read it"):
            task.write({"okr_key_result_id": self.kr_other.id})
        self.assertEqual(task.okr_key_result_id, self.kr_it)
        # The task moves to another key result it may read.
        task.write({"okr_key_result_id": self.kr_hr.id})
        self.assertEqual(task.okr_key_result_id, self.kr_hr)
        # A worker of both companies, working in the first only, may not
        # take a task away from the other company's key result.
        both = new_test_user(
            self.env,
            login="okr_task_both",
            groups=PROJECT_USER,
            company_ids=[Command.set((self.company | self.other_company).ids)],
        )
        other_task = self._task(self.kr_other)
        self.assertEqual(
            other_task.project_id, self.other_company._okr_initiatives_project()
        )
        with self.assertRaises(UserError):
            other_task.with_user(both).with_context(
                allowed_company_ids=self.company.ids
            ).write({"okr_key_result_id": self.kr_it.id})
        self.assertEqual(other_task.okr_key_result_id, self.kr_other)

    def test_key_result_of_the_task_s_company(self):
        with self.assertRaisesRegex(ValidationError, "Key Result"):
            self._task(self.kr_other, project_id=self.project.id)
        other_department = self.env["hr.department"].create(
            {"name": "Other IT", "company_id": self.other_company.id}
        )
        with self.assertRaisesRegex(ValidationError, "Department"):
            self._task(self.kr_it, okr_department_id=other_department.id)

    def test_fields_of_the_key_result_are_not_written(self):
        task = self._task(self.kr_it, env=self.env(user=self.worker))
        other = self._create_objective(name="Another objective")
        for vals in ({"okr_objective_id": other.id}, {"okr_cycle_id": False}):
            with self.assertRaisesRegex(UserError, "set by the addon only"):
                task.write(vals)
        self.assertEqual(self.kr_it.objective_id, self.objective)
        self.assertEqual(task.okr_cycle_id, self.cycle)

    def test_plain_user_reads_and_cannot_create(self):
        task = self._task(self.kr_it)
        [values] = task.with_user(self.reader).read(
            ["okr_key_result_id", "okr_department_id", "okr_objective_id"]
        )
        self.assertEqual(values["okr_key_result_id"][0], self.kr_it.id)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self._task(self.kr_it, env=self.env(user=self.reader))

    def test_portal_user_does_not_see_okr_fields(self):
        portal = new_test_user(
            self.env, login="okr_task_portal", groups="base.group_portal"
        )
        task = self._task(self.kr_it)
        self.assertNotIn(
            "okr_key_result_id",
            self.env["project.task"].with_user(portal).fields_get(),
        )
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            task.with_user(portal).read(["okr_key_result_id"])

    def test_add_a_task_from_a_key_result_it_may_not_edit(self):
        """The key result's form adds tasks with the rights on tasks."""
        key_result = self.kr_hr.with_user(self.worker)
        self.assertFalse(key_result.has_access("write"))
        key_result.write(
            {"task_ids": [Command.create({"name": "Write the training plan"})]}
        )
        task = self.kr_hr.task_ids
        self.assertEqual(task.name, "Write the training plan")
        self.assertEqual(task.create_uid, self.worker)
        self.assertEqual(task.project_id, self.project)
        key_result.write({"task_ids": [Command.update(task.id, {"state": "1_done"})]})
        self.assertEqual(task.state, "1_done")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            key_result.write({"name": "Renamed", "task_ids": []})
        with self.assertRaisesRegex(UserError, "one by one"):
            key_result.write({"task_ids": [Command.clear()]})
        key_result.write({"task_ids": [Command.unlink(task.id)]})
        self.assertFalse(task.okr_key_result_id)
        self.assertTrue(task.exists(), "removed from the key result, not deleted")

    def test_every_company_has_its_project(self):
        company = self.env["res.company"].create({"name": "Task New Co"})
        project = company._okr_initiatives_project()
        self.assertEqual(project.company_id, company)
        self.assertEqual(project.name, "OKR Initiatives")
        self.assertEqual(
            project.type_ids.mapped("name"), ["To Do", "In Progress", "Review"]
        )
        # The install's function does not double it.
        self.env["res.company"]._okr_create_missing_initiatives_projects()
        self.assertEqual(
            self.env["project.project"].search_count([("company_id", "=", company.id)]),
            1,
        )

    def test_drag_a_card_to_another_department(self):
        task = self._task(self.kr_it).with_user(self.worker)
        task.write({"okr_department_id": self.hr.id})
        self.assertEqual(task.okr_department_id, self.hr)


@tagged("post_install", "-at_install")
class TestOkrTaskColumns(OkrTaskCase):
    """The department kanban's columns, as a plain OKR user opens it: the
    departments with OKR work in the cycles searched, empty or not, and the
    departments that have tasks there; never every department of the
    company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Department = cls.env["hr.department"]
        cls.ops, cls.idle, cls.archive = Department.create(
            [
                {"name": f"Task {name}", "company_id": cls.company.id}
                for name in ("Operations", "Idle", "Archive")
            ]
        )
        cls.kr_hr.department_id = cls.hr
        # A department objective whose key result another department carries.
        ops_objective = cls._create_objective(
            "Assign orders automatically", department_id=cls.ops.id, level="department"
        )
        cls._create_key_result(ops_objective, 0, 1, department_id=cls.it.id)
        cls.closed_cycle = cls.env["okr.cycle"].create(
            {
                "name": "2026 Q3",
                "date_start": "2026-07-01",
                "date_end": "2026-09-30",
                "company_id": cls.company.id,
            }
        )
        closed_objective = cls.env["okr.objective"].create(
            {"name": "Last quarter's", "cycle_id": cls.closed_cycle.id}
        )
        cls._create_key_result(closed_objective, 0, 1, department_id=cls.archive.id)
        cls.closed_cycle.state = "closed"
        cls.kr_other.department_id = cls.env["hr.department"].create(
            {"name": "Task Other Co Desk", "company_id": cls.other_company.id}
        )
        cls._task(cls.kr_it)
        cls.ours = cls.it | cls.hr | cls.ops | cls.idle | cls.archive

    def columns(self, domain):
        """{department: count} of the kanban's columns among this test's."""
        groups = (
            self.env["project.task"]
            .with_user(self.reader)
            .web_read_group(domain, ["state"], ["okr_department_id"])["groups"]
        )
        Department = self.env["hr.department"]
        return {
            Department.browse(group["okr_department_id"][0]): group[
                "okr_department_id_count"
            ]
            for group in groups
            if group["okr_department_id"]
        }

    def test_departments_of_the_open_cycles_key_results_and_objectives(self):
        columns = self.columns([("okr_key_result_id", "!=", False)])
        self.assertEqual(columns[self.it], 1)
        self.assertEqual(columns[self.hr], 0, "its key result's: an empty column")
        self.assertEqual(columns[self.ops], 0, "its objective's")
        self.assertNotIn(self.idle, columns, "no OKR work")
        self.assertNotIn(self.archive, columns, "OKR work of a closed cycle only")
        self.assertNotIn(self.kr_other.department_id, columns, "another company's")

    def test_departments_of_the_cycles_searched(self):
        columns = self.columns(
            [
                ("okr_key_result_id", "!=", False),
                ("okr_cycle_id", "=", self.closed_cycle.id),
            ]
        )
        self.assertEqual(columns, {self.archive: 0})
        # A cycle only one side of a '|' names is no cycle of every task.
        columns = self.columns(
            [
                "|",
                ("okr_cycle_id", "=", self.closed_cycle.id),
                ("name", "ilike", "order entry"),
            ]
        )
        self.assertEqual(
            set(columns) & set(self.ours), set(self.it | self.hr | self.ops)
        )

    def test_departments_of_the_key_result_searched(self):
        """A key result's Tasks button: its department, and those of its
        tasks."""
        action = self.kr_hr.action_view_tasks()
        self.assertEqual(self.columns(action["domain"]), {self.hr: 0})
        task = self._task(self.kr_hr, okr_department_id=self.idle.id)
        self.assertEqual(self.columns(action["domain"]), {self.hr: 0, self.idle: 1})
        task.okr_department_id = self.it
        self.assertEqual(self.columns(action["domain"]), {self.hr: 0, self.it: 1})

    def test_columns_cost_one_query(self):
        Task = self.env["project.task"].with_user(self.reader)
        domain = [
            ("okr_key_result_id", "!=", False),
            ("okr_cycle_id.is_current", "=", True),
        ]
        Task._read_group_okr_department_ids(self.it, domain)  # warm the caches
        with self.assertQueryCount(1):
            Task._read_group_okr_department_ids(self.it, domain)


@tagged("post_install", "-at_install")
class TestOkrTasksRpc(HttpCase, OkrTaskCase):
    """The same rules as a client sends them, as the Project user."""

    def setUp(self):
        super().setUp()
        self.authenticate(self.worker.login, self.worker.login)

    def test_create_and_move_over_json_rpc(self):
        reply = call_kw(
            self,
            "project.task",
            "create",
            {"name": "Over RPC", "okr_key_result_id": self.kr_it.id},
        )
        task = self.env["project.task"].browse(reply["result"])
        self.assertEqual(task.project_id, self.project)
        self.assertEqual(task.okr_department_id, self.it)
        hostile = [
            {"okr_key_result_id": self.kr_other.id},
            {"okr_cycle_id": False},
            {"okr_objective_id": self._create_objective(name="Elsewhere").id},
        ]
        for vals in hostile:
            reply = call_kw(self, "project.task", "write", task.ids, vals)
            self.assertIn("error", reply, vals)
            self.assertIn(
                reply["error"]["data"]["name"],
                ("odoo.exceptions.UserError", "odoo.exceptions.AccessError"),
            )
        self.assertEqual(
            (task.okr_key_result_id, task.okr_objective_id, task.okr_cycle_id),
            (self.kr_it, self.objective, self.cycle),
        )
        # The key result in the context only, as the key result's Tasks
        # button opens the kanban: the same project as above.
        reply = call_kw(
            self,
            "project.task",
            "create",
            {"name": "From the Tasks button"},
            context={"default_okr_key_result_id": self.kr_hr.id},
        )
        task = self.env["project.task"].browse(reply["result"])
        self.assertEqual(
            (task.okr_key_result_id, task.project_id, task.company_id),
            (self.kr_hr, self.project, self.company),
        )
        reply = call_kw(
            self,
            "project.task",
            "create",
            {"name": "Other company's", "okr_key_result_id": self.kr_other.id},
        )
        self.assertIn("error", reply)
        self.assertFalse(
            self.env["project.task"].search([("name", "=", "Other company's")])
        )
