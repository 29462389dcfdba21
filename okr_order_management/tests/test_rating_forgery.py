from odoo.tests import HttpCase, tagged

from .common import call_kw
from .metric_common import MetricCase, local


@tagged("post_install", "-at_install")
class TestRatingForgery(HttpCase, MetricCase):
    """Customer satisfaction counts the customers' ratings: a salesperson
    who would like a better number tries, over JSON-RPC, every way Odoo
    offers an employee to rate an order, and the number does not move."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.company_user(
            "okr_rating_forger", "base.group_user,sales_team.group_sale_salesman"
        )
        # A rating of something else than an order, as Odoo lets one exist.
        cls.partner_rating = cls.env["rating.rating"].create(
            {
                "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "res_id": cls.customer_c.id,
                "partner_id": cls.customer_c.id,
                "rating": 5,
                "consumed": True,
            }
        )

    def setUp(self):
        super().setUp()
        mine = {"user_id": self.salesperson.id}
        self.rated_order = self.sell(self.customer_a, local(2026, 11, 2, 10), **mine)
        self.asked_order = self.sell(self.customer_b, local(2026, 11, 3, 10), **mine)
        # The customer was unhappy; another customer has not answered yet.
        with self.at(local(2026, 11, 4, 10)):
            self.rated_order.rating_apply(
                1, token=self.rated_order._rating_get_access_token()
            )
        self.asked_order._rating_get_access_token()
        [self.given] = self.rated_order.rating_ids
        [self.pending] = self.asked_order.rating_ids
        self.key_result = self.key_result("customer_satisfaction")
        self.assertEqual(self.compute(self.key_result), 0.0)
        self.authenticate(self.salesperson.login, self.salesperson.login)

    def call(self, model, method, *args, **kwargs):
        """The error message of ``model.method`` over JSON-RPC, or None."""
        error = call_kw(self, model, method, *args, **kwargs).get("error")
        return error and error["data"]["message"]

    def assertRefused(self, message, regex="given by the customers"):
        self.assertIsNotNone(message, "the call was accepted")
        self.assertRegex(message, regex)

    def test_rating_an_order_is_refused(self):
        order_model = self.env["ir.model"]._get_id("sale.order")
        rating = "rating.rating"
        cases = {
            "create a given rating": (
                rating,
                "create",
                [
                    {
                        "res_model_id": order_model,
                        "res_id": self.asked_order.id,
                        "partner_id": self.customer_b.id,
                        "rating": 5,
                        "consumed": True,
                    }
                ],
            ),
            "answer the pending request": (
                rating,
                "write",
                self.pending.ids,
                {"rating": 5, "consumed": True},
            ),
            "change the customer's rating": (
                rating,
                "write",
                self.given.ids,
                {"rating": 5},
            ),
            "give it as another customer": (
                rating,
                "write",
                self.given.ids,
                {"partner_id": self.customer_c.id},
            ),
            "move another rating onto an order": (
                rating,
                "write",
                self.partner_rating.ids,
                {"res_model_id": order_model, "res_id": self.asked_order.id},
            ),
            "move the customer's rating away": (
                rating,
                "write",
                self.given.ids,
                {"res_id": self.customer_a.id},
            ),
        }
        for case, (model, method, *args) in cases.items():
            with self.subTest(case):
                self.assertRefused(self.call(model, method, *args))
        # Odoo's own methods, which create and apply ratings as the superuser.
        self.assertRefused(
            self.call(
                "sale.order",
                "message_post",
                self.asked_order.ids,
                body="Very happy!",
                rating_value=5,
            )
        )
        self.assertRefused(
            self.call(
                "sale.order",
                "rating_apply",
                self.asked_order.ids,
                5,
                token=self.pending.access_token,
            ),
            "given by the customers|access_token",
        )
        self.assertEqual(
            self.env["rating.rating"].search_count(
                [("okr_sale_order_id", "in", (self.rated_order | self.asked_order).ids)]
            ),
            2,
        )
        self.assertEqual(self.given.rating, 1.0)
        self.assertFalse(self.pending.consumed)
        self.assertEqual(self.compute(self.key_result), 0.0)

    def test_the_rating_link_is_the_customers(self):
        """The token rates as the customer: an employee does not read it, and
        the link opened in an employee's session rates nothing."""
        self.assertRefused(
            self.call(
                "rating.rating", "read", self.pending.ids, ["access_token", "rating"]
            ),
            "access_token|not allowed|access",
        )
        [values] = call_kw(self, "rating.rating", "read", self.pending.ids, ["rating"])[
            "result"
        ]
        self.assertNotIn("access_token", values)
        self.url_open(f"/rate/{self.pending.access_token}/5")
        self.pending.invalidate_recordset()
        self.assertFalse(self.pending.consumed)
        # The customer, not logged in, on the same link.
        self.authenticate(None, None)
        self.assertEqual(
            self.url_open(f"/rate/{self.pending.access_token}/5").status_code, 200
        )
        self.pending.invalidate_recordset()
        self.assertTrue(self.pending.consumed)
        self.assertEqual(self.compute(self.key_result), 50.0)
