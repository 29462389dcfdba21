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
                objective = cls._create_objective(name, department_id=department.id)
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

    def test_objectives_by_department_average_progress(self):
        groupbys, measure = self.graph_spec(
            self.action_views("okr_report_objective_action")["graph"]
        )
        self.assertEqual((groupbys, measure), (["department_id"], "progress"))
        Objective = self.env["okr.objective"].with_user(self.user)
        aggregator = Objective.fields_get([measure])[measure]["aggregator"]
        groups = Objective._read_group(
            [("cycle_id", "=", self.cycle.id)], groupbys, [f"{measure}:{aggregator}"]
        )
        # Sales: (20 + 80) / 2, not 100 (a sum) nor 2 (a count).
        self.assertEqual(dict(groups), {self.sales: 50.0, self.it: 30.0})

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
