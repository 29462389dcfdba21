from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..metric_engine import orm_value
from .metric_common import AFTER_Q4, MetricCase, local


def rate(order, value):
    """The customer clicks a face in the request: Odoo's own flow."""
    token = order._rating_get_access_token()
    return order.rating_apply(value, token=token)


@tagged("post_install", "-at_install")
class TestCustomerSatisfaction(MetricCase):
    """The built-in metric ``customer_satisfaction``: the share of Satisfied
    ratings of sale orders received in the window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_create_nolog=True))

    def _rated(self, partner, value, rated, deliver=True, **vals):
        order = self.sell(partner, rated - timedelta(days=2), **vals)
        if deliver:
            self.deliver(order, rated - timedelta(days=1))
        with self.at(rated):
            rating = rate(order, value)
        self.assertEqual(rating.okr_rated_at, rated)
        return order, rating

    def test_share_of_satisfied_ratings_by_scope(self):
        north = {"team_id": self.team_north.id, "user_id": self.salesperson_1.id}
        _o1, r1 = self._rated(self.customer_a, 5, local(2026, 11, 2, 10), **north)
        o2, r2 = self._rated(
            self.customer_b,
            3,
            local(2026, 11, 3, 10),
            team_id=self.team_north.id,
            user_id=self.salesperson_2.id,
        )
        _o3, r3 = self._rated(
            self.customer_c,
            5,
            local(2026, 11, 4, 10),
            team_id=self.team_south.id,
            warehouse_id=self.warehouse_2.id,
        )
        # Rated before the cycle, in another company, not yet, not an order.
        self._rated(self.customer_d, 1, local(2026, 9, 30, 15))
        self._rated(
            self.customer_a,
            1,
            local(2026, 11, 5, 10),
            deliver=False,
            company=self.other_company,
        )
        pending = self.sell(self.customer_b, local(2026, 11, 6, 10))
        pending._rating_get_access_token()
        self.customer_a.rating_apply(
            1, token=self.customer_a._rating_get_access_token()
        )

        key_result = self.key_result("customer_satisfaction")
        self.assertAlmostEqual(self.compute(key_result), 200.0 / 3)
        self.assertEqual(self.records(key_result), r1 | r2 | r3)
        self.assertEqual(self.records(key_result, numerator=True), r1 | r3)
        with self.at(AFTER_Q4):
            measure = key_result._okr_measure(AFTER_Q4)
        self.assertAlmostEqual(orm_value(self.env, measure), 200.0 / 3)
        self.assertEqual(
            self.value("customer_satisfaction", team_id=self.team_north.id), 50.0
        )
        self.assertEqual(
            self.value("customer_satisfaction", salesperson_id=self.salesperson_1.id),
            100.0,
        )
        self.assertEqual(
            self.value("customer_satisfaction", warehouse_id=self.warehouse_2.id),
            100.0,
        )
        # The customer opens the same link again and changes their mind: the
        # new rating replaces the former.
        with self.at(local(2026, 11, 20, 10)):
            o2.rating_apply(5, token=r2.access_token)
        self.assertEqual(r2.okr_rated_at, local(2026, 11, 20, 10))
        self.assertEqual(self.compute(key_result), 100.0)

    def test_a_rating_asks_for_a_recompute_of_its_company(self):
        order = self.sell(self.customer_a, local(2026, 11, 2, 10))
        self.env.cr.precommit.data.pop("okr_recompute_requests", None)
        rate(order, 5)
        pending = self.env.cr.precommit.data.get("okr_recompute_requests", {})
        self.assertIn(("rating.rating", self.company.id, None), pending)

    def test_moving_a_rated_order_asks_for_a_recompute(self):
        """A rating counts for its order's team, salesperson and warehouse:
        moving the order moves the rating, and its key results are refreshed."""
        north = {"team_id": self.team_north.id}
        order, rating = self._rated(self.customer_a, 5, local(2026, 11, 2, 10), **north)
        precommit = self.env.cr.precommit.data
        for vals in (
            {"team_id": self.team_south.id},
            {"user_id": self.salesperson_2.id},
        ):
            with self.subTest(vals=vals):
                precommit.pop("okr_recompute_requests", None)
                order.write(vals)
                pending = precommit.get("okr_recompute_requests", {})
                for model in ("sale.order", "stock.picking", "rating.rating"):
                    self.assertIn((model, self.company.id, None), pending)
        self.assertEqual(rating.okr_team_id, self.team_south)
        self.assertEqual(
            self.value("customer_satisfaction", team_id=self.team_south.id), 100.0
        )
        precommit.pop("okr_recompute_requests", None)
        order.note = "Leave at the door"
        self.assertFalse(precommit.get("okr_recompute_requests"))

    def test_order_facts_of_a_rating_are_the_addons(self):
        _order, rating = self._rated(self.customer_a, 5, local(2026, 11, 2, 10))
        user = self.company_user("okr_rating_clerk", "base.group_user")
        for vals in (
            {"okr_rated_at": "2026-10-01 00:00:00"},
            {"okr_team_id": self.team_south.id},
            {"okr_sale_order_id": False},
        ):
            with self.subTest(vals=vals), self.assertRaisesMessage(UserError, "addon"):
                rating.with_user(user).write(vals)
        self.assertEqual(rating.okr_rated_at, local(2026, 11, 2, 10))

    def test_a_plain_user_follows_satisfaction_of_a_team(self):
        """Odoo lets every employee read ratings: a plain OKR user may scope
        the metric, and reads the ratings behind it."""
        _order, rating = self._rated(
            self.customer_a, 5, local(2026, 11, 2, 10), team_id=self.team_north.id
        )
        user = self.company_user("okr_rating_reader", "base.group_user")
        key_result = (
            self.env["okr.key.result"]
            .with_user(user)
            .create(
                {
                    "name": "North customers are satisfied",
                    "objective_id": self.own_objective(user).id,
                    "source": "metric",
                    "metric_id": self.metric("customer_satisfaction").id,
                    "team_id": self.team_north.id,
                    "window": "cycle",
                    "target_type": "at_least",
                    "start_value": 70.0,
                    "target_value": 90.0,
                }
            )
        )
        self.assertEqual(self.compute(key_result.sudo()), 100.0)
        model, domain = key_result._okr_records_domain()
        self.assertEqual(self.env[model].with_user(user).search(domain), rating)


@tagged("post_install", "-at_install")
class TestRatingRequests(MetricCase):
    """A validated delivery asks for a rating later, from a scheduled action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(
            "okr_order_management.stock_picking_cron_send_okr_rating_requests"
        )
        cls.customer_a.email = "acme@example.com"

    def _send_due(self, when):
        with self.at(when):
            self.env["stock.picking"]._cron_send_okr_rating_requests()

    def _requests(self, order):
        """The rating requests emailed to the order's customer: mails of their
        own, never in the order's chatter, which every employee reads."""
        return (
            self.env["mail.mail"]
            .search(
                [
                    ("recipient_ids", "in", order.partner_id.ids),
                    ("subject", "ilike", order.name),
                ]
            )
            .filtered(lambda mail: "/rate/" in (mail.body_html or ""))
        )

    def test_off_by_default(self):
        self.assertFalse(self.company.okr_rating_request)
        order = self.sell(self.customer_a, local(2026, 11, 2, 10))
        picking = self.deliver(order, local(2026, 11, 3, 10))
        self.assertFalse(picking.okr_rating_request_at)
        self._send_due(local(2026, 11, 10, 10))
        self.assertFalse(self._requests(order))

    def test_request_sent_after_the_delay(self):
        self.company.write({"okr_rating_request": True, "okr_rating_delay_hours": 24})
        order = self.sell(self.customer_a, local(2026, 11, 2, 10))
        delivered = local(2026, 11, 3, 10)
        picking = self.deliver(order, delivered)
        # Validating sent nothing: it stamped when to ask, and woke the cron.
        self.assertEqual(picking.okr_rating_request_at, delivered + timedelta(hours=24))
        self.assertFalse(self._requests(order))
        self.assertFalse(order.rating_ids)
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )
        self.assertEqual(trigger.call_at, delivered + timedelta(hours=24))
        self._send_due(delivered + timedelta(hours=23))
        self.assertFalse(self._requests(order))
        self._send_due(delivered + timedelta(hours=25))
        [mail] = self._requests(order)
        self.assertIn(self.customer_a, mail.recipient_ids)
        [rating] = order.rating_ids
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.partner_id, self.customer_a)
        self.assertIn(f"/rate/{rating.access_token}/5", mail.body_html)
        self.assertFalse(mail.model)
        # The chatter says who was asked, without the links.
        self.assertIn("Rating request e-mailed to", order.message_ids[0].body or "")
        self.assertFalse(
            order.message_ids.filtered(lambda m: "/rate/" in (m.body or ""))
        )
        self.assertFalse(picking.okr_rating_request_at)
        # Asked once.
        self._send_due(delivered + timedelta(hours=50))
        self.assertEqual(len(self._requests(order)), 1)

    def test_returns_and_receipts_ask_nothing(self):
        self.company.okr_rating_request = True
        order = self.sell(self.customer_a, local(2026, 11, 2, 10))
        picking = self.deliver(order, local(2026, 11, 3, 10))
        returned = self.return_goods(picking, local(2026, 11, 4, 10), 1)
        receipt = self.receive(self.product, 5, local(2026, 11, 4, 11))
        self.assertTrue(picking.okr_rating_request_at)
        self.assertFalse(returned.okr_rating_request_at)
        self.assertFalse(receipt.okr_rating_request_at)

    def test_validation_costs_a_stamp_and_a_trigger(self):
        """Asking for ratings adds 4 queries to a validation (the stamp, the
        cron's trigger), and no email."""
        counts = {}
        # A first validation that asks warms the caches: measured apart.
        for asking in ("warm-up", False, True):
            self.company.okr_rating_request = asking in ("warm-up", True)
            order = self.sell(self.customer_a, local(2026, 11, 2, 10))
            picking = order.picking_ids
            picking.move_ids.picked = True
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            with self.at(local(2026, 11, 3, 10)):
                picking.button_validate()
                self.env.flush_all()
            counts[asking] = self.env.cr.sql_log_count - before
        self.assertLessEqual(counts[True] - counts[False], 4, counts)

    def test_bad_delay(self):
        for hours in (-1, 721):
            with (
                self.subTest(hours=hours),
                self.assertRaisesMessage(ValidationError, "Rating Request Delay"),
            ):
                self.company.okr_rating_delay_hours = hours
                self.env.flush_all()
