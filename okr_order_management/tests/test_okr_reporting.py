import json

from lxml import etree

from odoo.tests import freeze_time, new_test_user, tagged

from .common import Q4_MIDDLE, OkrCase

MODULE = "okr_order_management"


@tagged("post_install", "-at_install")
class TestOkrReporting(OkrCase):
    """The Reporting menu, as a plain OKR user: each graph opens on a number
    worth reading, computed by PostgreSQL the way the view asks for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, login="report_user", groups="base.group_user")
        cls.sales, cls.it = cls.env["hr.department"].create(
            [{"name": "Sales desk"}, {"name": "IT"}]
        )
        cls.key_results = cls.env["okr.key.result"]
        with freeze_time(Q4_MIDDLE):
            for name, department, current in (
                ("Confirm within 12 h", cls.sales, 20.0),
                ("Error rate under 1 %", cls.sales, 80.0),
                ("Order entry automated", cls.it, 30.0),
            ):
                objective = cls._create_objective(
                    name, department_id=department.id, level="department"
                )
                cls.key_results |= cls._create_key_result(
                    objective, 0.0, 100.0, current, name=name, user_id=cls.user.id
                )
            cls.env.flush_all()  # statuses at the middle of the cycle

    def action_views(self, xmlid):
        """The action's views as the web client loads them: {type: arch}."""
        action = self.env.ref(f"{MODULE}.{xmlid}")
        views = self.env[action.res_model].with_user(self.user).get_views(action.views)
        return {
            view_type: etree.fromstring(view["arch"])
            for view_type, view in views["views"].items()
        }

    def graph_spec(self, arch):
        """(group-bys, measure) of a graph or pivot arch."""
        groupbys = [
            node.get("name")
            + (f":{node.get('interval')}" if node.get("interval") else "")
            for node in arch.iter("field")
            if node.get("type") != "measure"
        ]
        [measure] = [
            n.get("name") for n in arch.iter("field") if n.get("type") == "measure"
        ]
        return groupbys, measure

    def test_reporting_menu_for_every_okr_user(self):
        menus = self.env["ir.ui.menu"].with_user(self.user).load_menus(False)
        names = {menu.get("xmlid") for menu in menus.values()}
        for xmlid in (
            "okr_report_menu",
            "okr_report_objective_menu",
            "okr_report_key_result_menu",
            "okr_report_checkin_menu",
            "okr_objective_alignment_menu",
        ):
            self.assertIn(f"{MODULE}.{xmlid}", names)

    def test_objectives_by_level_average_progress(self):
        """Every objective has a level: the company's objectives are the
        Company bar and row, never a "None" one."""
        self._create_objective("Customers wait less", env=self.env(user=self.user))
        views = self.action_views("okr_report_objective_action")
        groupbys, measure = self.graph_spec(views["graph"])
        self.assertEqual((groupbys, measure), (["level"], "progress"))
        self.assertEqual(
            self.graph_spec(views["pivot"]), (["level", "status"], "progress")
        )
        Objective = self.env["okr.objective"].with_user(self.user)
        aggregator = Objective.fields_get([measure])[measure]["aggregator"]
        groups = Objective._read_group(
            [("cycle_id", "=", self.cycle.id)], groupbys, [f"{measure}:{aggregator}"]
        )
        # Departments: (20 + 80 + 30) / 3, not 130 (a sum) nor 3 (a count).
        self.assertEqual(
            {level: round(progress, 2) for level, progress in groups},
            {"company": 0.0, "department": 43.33},
        )

    def test_objective_kanban_columns_are_the_levels(self):
        """The kanban's columns are company, department and individual, from
        the company down, empty or not; each bar counts its column's
        statuses."""
        self._create_objective("Customers wait less", env=self.env(user=self.user))
        arch = self.action_views("okr_objective_action")["kanban"]
        group_by = arch.get("default_group_by")
        self.assertEqual(group_by, "level")
        Objective = self.env["okr.objective"].with_user(self.user)
        domain = [("cycle_id", "=", self.cycle.id)]
        groups = Objective.web_read_group(domain, ["progress:avg"], [group_by])
        self.assertEqual(
            [
                (group["level"], group["level_count"], round(group["progress"], 2))
                for group in groups["groups"]
            ],
            [("company", 1, 0.0), ("department", 3, 43.33), ("individual", 0, 0.0)],
        )
        bar = arch.find(".//progressbar")
        counts = Objective.read_progress_bar(
            domain,
            group_by,
            {"field": bar.get("field"), "colors": json.loads(bar.get("colors"))},
        )
        # Not started is the bar's grey rest: no colour of its own.
        none = dict.fromkeys(("on_track", "at_risk", "off_track", "achieved"), 0)
        self.assertEqual(
            counts,
            {
                "company": none,
                "department": {**none, "off_track": 1, "on_track": 1, "at_risk": 1},
            },
        )

    def test_key_results_by_department_and_status(self):
        views = self.action_views("okr_report_key_result_action")
        groupbys, measure = self.graph_spec(views["pivot"])
        self.assertEqual((groupbys, measure), (["department_id", "status"], "progress"))
        groups = (
            self.env["okr.key.result"]
            .with_user(self.user)
            ._read_group([("cycle_id", "=", self.cycle.id)], groupbys, ["__count"])
        )
        # Statuses as stored at the middle of the cycle (pace 50 %).
        self.assertEqual(
            sorted(
                (department.name, status, count) for department, status, count in groups
            ),
            [
                ("IT", "at_risk", 1),
                ("Sales desk", "off_track", 1),
                ("Sales desk", "on_track", 1),
            ],
        )

    def test_key_result_progress_over_time(self):
        """A line per key result, in %, filterable by objective, department
        and owner: values in different units are never added up."""
        confirm, errors, entry = self.key_results
        for day, values in (("2026-11-02", (30.0, 90.0)), ("2026-11-09", (50.0, 95.0))):
            with freeze_time(day):
                self.env["okr.checkin"].with_user(self.user).create(
                    [
                        {"key_result_id": confirm.id, "value": values[0]},
                        {"key_result_id": errors.id, "value": values[1]},
                    ]
                )
        arch = self.action_views("okr_report_checkin_action")["graph"]
        self.assertEqual(arch.get("type"), "line")
        groupbys, measure = self.graph_spec(arch)
        self.assertEqual(
            (groupbys, measure), (["date:day", "key_result_id"], "progress")
        )
        Checkin = self.env["okr.checkin"].with_user(self.user)
        for domain in (
            [("department_id", "=", self.sales.id)],
            [
                ("owner_id", "=", self.user.id),
                ("objective_id", "!=", entry.objective_id.id),
            ],
        ):
            with self.subTest(domain=domain):
                groups = Checkin._read_group(domain, groupbys, ["progress:avg"])
                self.assertEqual(
                    sorted((str(day)[:10], kr.name, p) for day, kr, p in groups),
                    [
                        ("2026-11-02", "Confirm within 12 h", 30.0),
                        ("2026-11-02", "Error rate under 1 %", 90.0),
                        ("2026-11-09", "Confirm within 12 h", 50.0),
                        ("2026-11-09", "Error rate under 1 %", 95.0),
                    ],
                )
