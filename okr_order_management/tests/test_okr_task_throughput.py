import ast
import re
from datetime import date, datetime

from lxml import etree

from odoo import Command
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools.misc import get_lang

from .common import call_kw
from .test_okr_tasks import OkrTaskCase

MODULE = "okr_order_management"
ACTION = f"{MODULE}.project_task_okr_throughput_action"
DONE = "1_done"
#: Queries of marking any number of tasks of key results done at once (the
#: worker's write and its flush), stamps included, measured on Odoo 18.0.
BATCH_DONE_QUERIES = 13
#: Wednesdays 09:00 UTC of three weeks of the test cycle.
WEEK_1 = datetime(2026, 11, 11, 9, 0)
WEEK_2 = datetime(2026, 11, 18, 9, 0)
WEEK_3 = datetime(2026, 11, 25, 9, 0)


class ThroughputCase(OkrTaskCase):
    """Tasks as the Project user who works on them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kr_hr.department_id = cls.hr
        cls.portal = new_test_user(
            cls.env, login="okr_throughput_portal", groups="base.group_portal"
        )

    def setUp(self):
        super().setUp()
        self.env = self.env(user=self.worker)

    def _done(self, tasks, when):
        with freeze_time(when):
            tasks.write({"state": DONE})
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestTaskDoneStamp(ThroughputCase):
    """A task of a key result records when its state became done, in the
    write that does it; leaving done clears it."""

    def test_done_reopened_cancelled(self):
        task = self._task(self.kr_it)
        self.assertFalse(task.okr_done_at)
        self._done(task, WEEK_1)
        self.assertEqual(task.okr_done_at, WEEK_1)
        # Done again, or moved on while done: when it was done stays.
        with freeze_time(WEEK_2):
            task.write({"state": DONE, "stage_id": self.project.type_ids[-1].id})
            task.write({"okr_key_result_id": self.kr_hr.id, "priority": "1"})
        self.assertEqual(task.okr_done_at, WEEK_1)
        with freeze_time(WEEK_2):
            task.write({"state": "01_in_progress"})
        self.assertFalse(task.okr_done_at, "reopened: not done any more")
        self._done(task, WEEK_3)
        self.assertEqual(task.okr_done_at, WEEK_3, "done again, in week 3")
        task.write({"state": "1_canceled"})
        self.assertFalse(task.okr_done_at, "cancelled work is not work done")

    def test_created_done(self):
        with freeze_time(WEEK_1):
            task = self._task(self.kr_it, state=DONE)
            # Added done in the key result's form, which the worker may not
            # edit: the task is created with the rights on tasks.
            self.kr_hr.with_env(self.env).write(
                {"task_ids": [Command.create({"name": "Added done", "state": DONE})]}
            )
        self.assertEqual(task.okr_done_at, WEEK_1)
        self.assertEqual(self.kr_hr.task_ids.okr_done_at, WEEK_1)
        self.assertFalse(task.copy().okr_done_at, "a copy is not done")

    def test_only_tasks_of_key_results(self):
        """A task done outside any key result is not OKR work; linked to a
        key result, it counts when it was done (its last state change)."""
        task = self.env["project.task"].create(
            {"name": "Not OKR work yet", "project_id": self.project.id}
        )
        self._done(task, WEEK_1)
        self.assertFalse(task.okr_done_at)
        with freeze_time(WEEK_3):
            task.write({"okr_key_result_id": self.kr_it.id})
        self.assertEqual(task.okr_done_at, WEEK_1, "done in week 1, linked in week 3")
        # Out of the key result (the report leaves it) and back: the same.
        task.write({"okr_key_result_id": False})
        self.assertEqual(task.okr_done_at, WEEK_1)
        with freeze_time(WEEK_3):
            task.write({"okr_key_result_id": self.kr_hr.id})
        self.assertEqual(task.okr_done_at, WEEK_1)
        # Linked and done at once: done now.
        other = self.env["project.task"].create(
            {"name": "Linked when done", "project_id": self.project.id}
        )
        with freeze_time(WEEK_2):
            other.write({"okr_key_result_id": self.kr_it.id, "state": DONE})
        self.assertEqual(other.okr_done_at, WEEK_2)

    def test_batch(self):
        """One write on tasks in every situation: each gets its own stamp."""
        open_tasks = self._tasks(4, self.kr_it)
        done_before = self._tasks(3, self.kr_hr)
        self._done(done_before, WEEK_1)
        outside = self.env["project.task"].create(
            [
                {"name": f"Outside {index}", "project_id": self.project.id}
                for index in range(2)
            ]
        )
        everything = open_tasks | done_before | outside
        self._done(everything, WEEK_2)
        self.assertEqual(set(open_tasks.mapped("okr_done_at")), {WEEK_2})
        self.assertEqual(set(done_before.mapped("okr_done_at")), {WEEK_1})
        self.assertEqual(outside.mapped("okr_done_at"), [False, False])
        with freeze_time(WEEK_3):
            everything.write({"state": "03_approved"})
        self.assertEqual(set(everything.mapped("okr_done_at")), {False})

    def test_stamp_in_the_same_update_as_the_state(self):
        tasks = self._tasks(3, self.kr_it)
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            self._done(tasks, WEEK_1)
        updates = [
            line
            for line in logs.output
            if re.search(r'UPDATE\s+"project_task"\s', line)
        ]
        self.assertEqual(len(updates), 1, "\n".join(updates))
        self.assertIn('"okr_done_at" =', updates[0])
        self.assertIn('"state" =', updates[0])

    def test_batch_queries_do_not_grow_with_the_tasks(self):
        """The write and its flush: the same queries for 5 tasks as for 50.
        (At commit, Odoo's chatter then logs the state change of each task,
        a message each: its own cost, the same for any state.)"""
        few, many = self._tasks(5, self.kr_it), self._tasks(50, self.kr_it)
        self._done(self._tasks(2, self.kr_it), WEEK_1)  # warm the caches
        for tasks in (few, many):
            self.env.invalidate_all()
            with self.assertQueryCount(BATCH_DONE_QUERIES, flush=False):
                self._done(tasks, WEEK_2)
        self.assertEqual(set(many.mapped("okr_done_at")), {WEEK_2})

    def test_portal_collaborator_closes_a_task(self):
        """Project sharing: a portal user may mark a task done; the stamp
        is the addon's, written whoever closes it."""
        portal = self.portal
        shared = (
            self.env["project.project"]
            .sudo()
            .create(
                {
                    "name": "Shared with a partner",
                    "privacy_visibility": "portal",
                    "company_id": self.company.id,
                    "collaborator_ids": [
                        Command.create({"partner_id": portal.partner_id.id})
                    ],
                }
            )
        )
        task = self._task(self.kr_it, project_id=shared.id)
        self._done(task.with_user(portal), WEEK_2)
        self.assertEqual(task.state, DONE)
        self.assertEqual(task.okr_done_at, WEEK_2)

    def test_install_dates_done_tasks_without_stamp(self):
        """Tasks linked and done before the field existed (an upgrade): the
        install dates them at their last state or stage change."""
        task = self._task(self.kr_it)
        self._done(task, WEEK_1)
        never = self.env["project.task"].create(
            {"name": "Done, never OKR work", "project_id": self.project.id}
        )
        self._done(never, WEEK_1)
        self.env.cr.execute(
            "UPDATE project_task SET okr_done_at = NULL, date_last_stage_update = %s"
            " WHERE id IN %s",
            (WEEK_2, (task | never)._ids),
        )
        self.env.invalidate_all()
        self.env["project.task"].init()
        self.assertEqual(task.okr_done_at, WEEK_2)
        self.assertFalse(never.okr_done_at)

    def _tasks(self, count, key_result):
        return self.env["project.task"].create(
            [
                {
                    "name": f"Batch task {index}",
                    "okr_key_result_id": key_result.id,
                    "project_id": self.project.id,
                }
                for index in range(count)
            ]
        )


@tagged("post_install", "-at_install")
class TestTaskThroughputReport(ThroughputCase):
    """OKR › Reporting › Task Throughput, as a plain OKR user of Shanghai:
    tasks of key results done per week, by department, among the tasks the
    user may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader.tz = "Asia/Shanghai"

    def test_menu_for_every_okr_user(self):
        menus = self.env["ir.ui.menu"].with_user(self.reader).load_menus(False)
        names = {menu.get("xmlid") for menu in menus.values()}
        self.assertIn(f"{MODULE}.project_task_okr_throughput_menu", names)

    def test_done_per_week_by_department(self):
        it_tasks = [self._task(self.kr_it, name=f"IT {i}") for i in range(4)]
        hr_tasks = [self._task(self.kr_hr, name=f"HR {i}") for i in range(3)]
        self._done(it_tasks[0] | hr_tasks[0], WEEK_1)
        self._done(it_tasks[1] | it_tasks[2] | hr_tasks[1], WEEK_2)
        # Saturday 20:00 UTC is Sunday 04:00 in Shanghai: the reader's
        # week 3 (English weeks start on Sunday).
        self._done(it_tasks[3], datetime(2026, 11, 21, 20, 0))
        # Reopened, cancelled, not readable, not OKR work: not counted.
        self._done(hr_tasks[2], WEEK_2)
        hr_tasks[2].write({"state": "01_in_progress"})
        self._task(self.kr_it, name="Dropped", state="1_canceled")
        private = (
            self.env["project.project"]
            .sudo()
            .create(
                {
                    "name": "Followers only",
                    "privacy_visibility": "followers",
                    "company_id": self.company.id,
                }
            )
        )
        self._done(self._task(self.kr_it, project_id=private.id), WEEK_2)
        outside = self.env["project.task"].create(
            {"name": "Not OKR work", "project_id": self.project.id}
        )
        self._done(outside, WEEK_2)

        action = self.env["ir.actions.act_window"]._for_xml_id(ACTION)
        domain = ast.literal_eval(action["domain"])
        # As the web client asks: in the user's timezone and language.
        Task = (
            self.env["project.task"]
            .with_user(self.reader)
            .with_context(tz=self.reader.tz, lang="en_US")
        )
        self.assertEqual(get_lang(Task.env).week_start, "7", "weeks start on Sunday")
        archs = {
            mode: etree.fromstring(view["arch"])
            for mode, view in Task.get_views(action["views"])["views"].items()
        }
        self.assertEqual(set(archs), {"graph", "pivot", "list", "form"})
        self.assertEqual(archs["graph"].get("type"), "bar")
        groupbys = self._groupbys(archs["graph"])
        self.assertEqual(groupbys, ["okr_done_at:week", "okr_department_id"])
        self.assertEqual(
            sorted(self._groupbys(archs["pivot"])),
            sorted(groupbys),
            "the pivot crosses the same: departments × weeks",
        )
        domain += [("okr_key_result_id", "in", (self.kr_it | self.kr_hr).ids)]
        groups = Task._read_group(domain, groupbys, ["__count"])
        self.assertEqual(
            sorted(
                (week.date(), department.name, count)
                for week, department, count in groups
            ),
            [
                (date(2026, 11, 8), "Task HR", 1),
                (date(2026, 11, 8), "Task IT", 1),
                (date(2026, 11, 15), "Task HR", 1),
                (date(2026, 11, 15), "Task IT", 2),
                (date(2026, 11, 22), "Task IT", 1),
            ],
        )
        # The report's filters narrow it down.
        for narrower, total in (
            ([("okr_department_id", "=", self.hr.id)], 2),
            ([("okr_key_result_id", "=", self.kr_it.id)], 4),
            ([("okr_objective_id", "=", self.objective.id)], 6),
            ([("okr_cycle_id", "=", self.cycle.id)], 6),
        ):
            with self.subTest(domain=narrower):
                self.assertEqual(Task.search_count(domain + narrower), total)
        # The default filter, while 2026 Q4 is the current cycle, and after.
        current = [("okr_cycle_id.is_current", "=", True)]
        for day, total in ((WEEK_3, 6), (date(2027, 1, 4), 0)):
            with freeze_time(day):
                self.assertEqual(Task.search_count(domain + current), total)

    def test_opens_on_the_current_cycle(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(ACTION)
        context = ast.literal_eval(action["context"])
        self.assertEqual(context.get("search_default_current_cycle"), 1)
        search = etree.fromstring(
            self.env["project.task"]
            .with_user(self.reader)
            .get_views([(action["search_view_id"][0], "search")])["views"]["search"][
                "arch"
            ]
        )
        names = {node.get("name") for node in search.iter("field", "filter")}
        self.assertLessEqual(
            {
                "okr_department_id",
                "okr_objective_id",
                "okr_key_result_id",
                "okr_cycle_id",
                "current_cycle",
                "okr_done_at",
            },
            names,
        )

    def _groupbys(self, arch):
        return [
            node.get("name")
            + (f":{node.get('interval')}" if node.get("interval") else "")
            for node in arch.iter("field")
            if node.get("type") != "measure"
        ]


@tagged("post_install", "-at_install")
class TestTaskDoneStampRpc(HttpCase, ThroughputCase):
    """No client writes when a task was done: not a plain OKR user, not the
    Project user who may change the task itself."""

    def test_refused_over_json_rpc(self):
        task = self._task(self.kr_it)
        self._done(task, WEEK_1)
        other = self._task(self.kr_hr)
        hostile = "2020-01-06 09:00:00"
        for user in (self.reader, self.worker):
            self.authenticate(user.login, user.login)
            with self.subTest(user=user.login):
                for method, args in (
                    ("write", [task.ids, {"okr_done_at": hostile}]),
                    ("write", [task.ids, {"okr_done_at": False}]),
                    ("write", [other.ids, {"state": DONE, "okr_done_at": hostile}]),
                    (
                        "create",
                        [
                            {
                                "name": "Done long ago",
                                "okr_key_result_id": self.kr_it.id,
                                "state": DONE,
                                "okr_done_at": hostile,
                            }
                        ],
                    ),
                ):
                    reply = call_kw(self, "project.task", method, *args)
                    self.assertIn("error", reply, (method, args))
                    self.assertIn(
                        reply["error"]["data"]["name"],
                        ("odoo.exceptions.UserError", "odoo.exceptions.AccessError"),
                    )
        self.assertEqual(task.okr_done_at, WEEK_1)
        self.assertEqual((other.state, other.okr_done_at), ("01_in_progress", False))
        self.assertFalse(
            self.env["project.task"].search_count([("name", "=", "Done long ago")])
        )
        # The worker's refusal is the addon's, not Project's rights.
        reply = call_kw(
            self, "project.task", "write", task.ids, {"okr_done_at": hostile}
        )
        self.assertIn("set by the addon only", reply["error"]["data"]["message"])
        # Both read it; a portal user does not see it.
        reply = call_kw(self, "project.task", "read", task.ids, fields=["okr_done_at"])
        self.assertEqual(reply["result"][0]["okr_done_at"], "2026-11-11 09:00:00")
        self.assertNotIn(
            "okr_done_at", self.env["project.task"].with_user(self.portal).fields_get()
        )
