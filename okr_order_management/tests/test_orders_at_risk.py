from datetime import timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.okr_metric import literal_domain
from ..models.sale_order_risk import OPEN_ORDERS
from .metric_common import MetricCase, local

#: When the lists are read: a Monday morning in Shanghai.
NOW = local(2026, 11, 16, 10, 0)


def hours(count):
    return timedelta(hours=count)


@tagged("post_install", "-at_install")
class TestOrdersAtRisk(MetricCase):
    """Orders at Risk: open orders whose promised date is past or near, most
    urgent first, with the key results they count towards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.company_user(
            "okr_risk_lead", "sales_team.group_sale_salesman_all_leads"
        )
        cls.team_north.write(
            {"user_id": cls.lead.id, "member_ids": [Command.set(cls.salesperson_1.ids)]}
        )
        cls.team_south.member_ids = [Command.set(cls.salesperson_2.ids)]

    def setUp(self):
        super().setUp()
        confirmed = NOW - timedelta(days=5)
        north = {"user_id": self.salesperson_1.id, "team_id": self.team_north.id}
        self.late = self.sell(
            self.customer_a, confirmed, commitment_date=NOW - hours(30), **north
        )
        self.soon = self.sell(
            self.customer_b, confirmed, commitment_date=NOW + hours(20), **north
        )
        self.far = self.sell(
            self.customer_c, confirmed, commitment_date=NOW + hours(120), **north
        )
        self.delivered = self.sell(
            self.customer_d, confirmed, commitment_date=NOW - hours(10), **north
        )
        self.deliver(self.delivered, NOW - hours(24))
        self.quotation = self.sell(
            self.customer_d,
            None,
            created=NOW - hours(40),
            commitment_date=NOW - hours(10),
            **north,
        )
        self.other_late = self.sell(
            self.customer_a,
            confirmed,
            commitment_date=NOW - hours(50),
            user_id=self.salesperson_2.id,
            team_id=self.team_south.id,
        )
        self.other_company_late = self.sell(
            self.customer_a,
            confirmed,
            company=self.other_company,
            commitment_date=NOW - hours(70),
        )
        self.action = self.env.ref("okr_order_management.sale_order_action_okr_risk")
        self.list_view = self.env.ref(
            "okr_order_management.sale_order_view_list_okr_risk"
        )

    def at_risk(self, user, extra=()):
        """What ``user`` sees in Orders at Risk at NOW: the action's domain,
        in the order of its list."""
        order = etree.fromstring(self.list_view.arch).get("default_order")
        with self.at(NOW):
            return (
                self.env["sale.order"]
                .with_user(user)
                .search([*safe_eval(self.action.domain), *extra], order=order)
            )

    def search_filter(self, name, user):
        """The domain of a filter of the Orders at Risk search view, as the
        web client evaluates it for ``user``."""
        arch = etree.fromstring(self.action.search_view_id.arch)
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return safe_eval(node.get("domain"), {"uid": user.id})

    def test_most_urgent_first(self):
        self.assertEqual(
            self.action.name, "Orders at Risk", "other tools open it by name"
        )
        self.assertEqual(self.action.res_model, "sale.order")
        # A salesperson sees their own orders; past or within 2 days.
        self.assertEqual(list(self.at_risk(self.salesperson_1)), [self.late, self.soon])
        self.assertEqual(
            list(self.at_risk(self.lead)), [self.other_late, self.late, self.soon]
        )
        with self.at(NOW):
            self.assertAlmostEqual(self.late.okr_delay_hours, 30.0)
            self.assertAlmostEqual(self.soon.okr_delay_hours, -20.0)
            self.assertTrue(self.late.okr_at_risk)
            self.assertFalse(self.far.okr_at_risk)
            self.assertFalse(self.delivered.okr_at_risk)
            self.assertFalse(self.quotation.okr_at_risk)
            not_at_risk = self.env["sale.order"].search(
                [("okr_at_risk", "=", False), ("company_id", "=", self.company.id)]
            )
        self.assertIn(self.far, not_at_risk)
        self.assertNotIn(self.late, not_at_risk)

    def test_mine_and_my_team(self):
        mine = self.search_filter("okr_risk_mine", self.salesperson_1)
        self.assertEqual(
            list(self.at_risk(self.salesperson_1, mine)), [self.late, self.soon]
        )
        mine = self.search_filter("okr_risk_mine", self.lead)
        self.assertEqual(
            list(self.at_risk(self.lead, mine)), [], "the lead sells nothing"
        )
        team = self.search_filter("okr_risk_my_team", self.lead)
        self.assertEqual(list(self.at_risk(self.lead, team)), [self.late, self.soon])
        team = self.search_filter("okr_risk_my_team", self.salesperson_2)
        self.assertEqual(
            list(self.at_risk(self.salesperson_2, team)), [self.other_late]
        )

    def test_horizon_is_a_company_setting(self):
        self.assertEqual(self.company.okr_risk_horizon_days, 2, "the default")
        admin = self.company_user("okr_risk_admin", "base.group_system")
        settings = self.env["res.config.settings"].with_user(admin)
        settings.create({"okr_risk_horizon_days": 0}).execute()
        self.assertEqual(self.company.okr_risk_horizon_days, 0)
        self.assertEqual(list(self.at_risk(self.salesperson_1)), [self.late])
        settings.create({"okr_risk_horizon_days": 6}).execute()
        self.assertEqual(
            list(self.at_risk(self.salesperson_1)), [self.late, self.soon, self.far]
        )
        # The other company keeps its own horizon.
        self.assertEqual(self.other_company.okr_risk_horizon_days, 2)
        for days in (-1, 366):
            with self.assertRaisesMessage(ValidationError, "Orders at Risk Horizon"):
                settings.create({"okr_risk_horizon_days": days}).execute()
        self.assertEqual(self.company.okr_risk_horizon_days, 6)

    def test_settings_are_drawn_in_an_okr_app_of_their_own(self):
        # The Sales app of Settings is not drawn without sale_management: the
        # OKR settings live in an app that is.
        admin = self.company_user(
            "okr_settings_admin",
            "base.group_system,okr_order_management.group_okr_manager",
        )
        settings = self.env["res.config.settings"].with_user(admin)
        arch = etree.fromstring(
            settings.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in (
            "okr_risk_horizon_days",
            "okr_rating_request",
            "okr_rating_delay_hours",
        ):
            apps = arch.xpath(f"//field[@name='{name}']/ancestor::app")
            self.assertEqual(
                [app.get("name") for app in apps], ["okr_order_management"], name
            )
            self.assertNotEqual(apps[0].get("notApp"), "1", name)
        action = self.env.ref("okr_order_management.res_config_settings_action")
        self.assertEqual(safe_eval(action.context)["module"], "okr_order_management")

    def test_same_rule_as_the_late_open_orders_metric(self):
        metric = self.env.ref("okr_order_management.okr_metric_late_open_orders")
        self.assertEqual(literal_domain(self.env, metric.domain), OPEN_ORDERS)
        self.assertEqual(metric.date_field_id.name, "okr_promised_date")
        self.assertEqual(metric.period, "overdue")
        key_result = self.key_result(metric, salesperson_id=self.salesperson_1.id)
        self.compute(key_result, NOW)
        self.assertEqual(key_result.current_value, 1.0, "late, not soon")
        # Its drill-down opens the late orders in the Orders at Risk list.
        action = key_result.with_user(self.salesperson_1).action_view_records()
        self.assertEqual(action["views"][0], (self.list_view.id, "list"))
        self.assertEqual(action["search_view_id"][0], self.action.search_view_id.id)
        opened = (
            self.env["sale.order"]
            .with_user(self.salesperson_1)
            .search(action["domain"])
        )
        self.assertEqual(opened, self.late, "exactly the orders counted")

    def test_key_results_counted(self):
        closed_cycle = self.env["okr.cycle"].create(
            {
                "name": "2026 Q4 bis",
                "date_start": self.cycle.date_start,
                "date_end": self.cycle.date_end,
                "company_id": self.company.id,
                "state": "active",
            }
        )
        closed_objective = self.objective.copy({"cycle_id": closed_cycle.id})
        late_mine = self.key_result(
            "late_open_orders", salesperson_id=self.salesperson_1.id
        )
        late_all = self.key_result("late_open_orders")
        revenue_north = self.key_result("revenue", team_id=self.team_north.id)
        revenue_south = self.key_result("revenue", team_id=self.team_south.id)
        big_orders = self.key_result(
            "revenue", scope_domain="[('amount_total', '>', 1000)]"
        )
        closed = self.key_result("late_open_orders", objective_id=closed_objective.id)
        closed_cycle.state = "closed"
        other_company = self.key_result(
            "late_open_orders",
            objective_id=self.env["okr.objective"]
            .create(
                {
                    "name": "Other company's",
                    "cycle_id": self.env["okr.cycle"]
                    .create(
                        {
                            "name": "Other Q4",
                            "date_start": self.cycle.date_start,
                            "date_end": self.cycle.date_end,
                            "company_id": self.other_company.id,
                            "state": "active",
                        }
                    )
                    .id,
                    "company_id": self.other_company.id,
                }
            )
            .id,
        )
        # Scoped by the salesperson: it counts only the orders they may read.
        sp1_objective = self.own_objective(self.salesperson_1)
        mine_scoped = (
            self.env["okr.key.result"]
            .with_user(self.salesperson_1)
            .create(
                {
                    "name": "My revenue",
                    "objective_id": sp1_objective.id,
                    "source": "metric",
                    "metric_id": self.metric("revenue").id,
                    "window": "cycle",
                    "salesperson_id": self.salesperson_1.id,
                    "target_value": 1000.0,
                }
            )
        )
        self.assertEqual(mine_scoped.scope_user_id, self.salesperson_1)
        orders = (self.late | self.soon | self.far | self.other_late).with_user(
            self.lead
        )
        with self.at(NOW):
            self.assertEqual(
                orders[0].okr_key_result_ids,
                late_mine | late_all | revenue_north | mine_scoped,
            )
            self.assertEqual(orders[1].okr_key_result_ids, revenue_north | mine_scoped)
            self.assertEqual(orders[2].okr_key_result_ids, revenue_north | mine_scoped)
            self.assertEqual(
                orders[3].okr_key_result_ids, late_all | revenue_south, "not sp1's"
            )
            self.assertEqual(orders[0].okr_key_result_count, 4)
            self.assertNotIn(big_orders, orders.okr_key_result_ids)
            self.assertNotIn(closed, orders.okr_key_result_ids)
            # Another company's key results count its own orders only, and
            # the search runs with the user's rights: never one they cannot read.
            other = self.other_company_late.sudo()
            self.assertEqual(other._okr_counting_key_results()[other.id], other_company)
            self.assertFalse(
                self.env["okr.key.result"]
                .with_user(self.salesperson_1)
                .search([("id", "=", other_company.id)])
            )
        action = orders[0].action_view_okr_key_results()
        self.assertEqual(action["res_model"], "okr.key.result")
        self.assertEqual(
            self.env["okr.key.result"].search(action["domain"]),
            late_mine | late_all | revenue_north | mine_scoped,
        )

    def test_key_results_counted_in_one_query(self):
        """Whatever the number of key results: one search, one evaluation."""
        orders = (self.late | self.soon | self.far | self.other_late).with_user(
            self.lead
        )

        def count():
            self.env.invalidate_all()  # as a new request: only ormcaches warm
            with self.at(NOW):
                return orders.mapped("okr_key_result_count")

        self.key_result("late_open_orders", salesperson_id=self.salesperson_1.id)
        self.key_result("revenue", team_id=self.team_north.id)
        self.assertEqual(count(), [2, 1, 1, 0])  # warm the caches
        with self.assertQueryCount(QUERIES):
            self.assertEqual(count(), [2, 1, 1, 0])
        self.key_result("late_open_orders")
        self.key_result("revenue", team_id=self.team_south.id)
        self.key_result("revenue", window="rolling", window_days=7)
        self.key_result("order_error_rate", salesperson_id=self.salesperson_2.id)
        self.assertEqual(count(), [4, 2, 2, 4])
        with self.assertQueryCount(QUERIES):
            self.assertEqual(count(), [4, 2, 2, 4])

    def test_delivery_counted(self):
        on_time = self.key_result("on_time_delivery_rate")
        backorders = self.key_result("backorder_rate", team_id=self.team_south.id)
        stock_user = self.company_user("okr_risk_stock", "stock.group_stock_user")
        picking = self.delivered.picking_ids.with_user(stock_user)
        open_picking = self.late.picking_ids.with_user(stock_user)
        with self.at(NOW):
            self.assertEqual(picking.okr_key_result_ids, on_time)
            self.assertEqual(open_picking.okr_key_result_count, 0)
        self.assertNotIn(backorders, picking.okr_key_result_ids)
        action = picking.action_view_okr_key_results()
        self.assertEqual(self.env["okr.key.result"].search(action["domain"]), on_time)

    def test_schedule_an_activity_in_one_click(self):
        with self.at(NOW):
            self.late.with_user(self.salesperson_1).action_okr_schedule_risk_activity()
            activity = self.late.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.salesperson_1)
            self.assertEqual(activity.date_deadline, NOW.date())
            self.assertIn("Order at risk", activity.summary)
            # Twice is once.
            self.late.with_user(self.salesperson_1).action_okr_schedule_risk_activity()
            self.assertEqual(self.late.activity_ids, activity)


#: Queries to list the key results of 4 orders, from a cold cache (a new
#: request): the orders, one search and the reads of the key results, their
#: metrics, cycles and companies, and one evaluation, whatever their number.
QUERIES = 12
