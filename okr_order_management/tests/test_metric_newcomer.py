from odoo.tests import tagged
from odoo.tools import mute_logger

from .. import metric_engine
from .metric_common import AFTER_Q4, MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricNewcomer(MetricCase):
    """A metric key result, as its owner (a plain OKR user) first meets it."""

    def test_no_status_before_the_first_computed_value(self):
        owner = self.company_user("okr_new_metric_owner", "base.group_user")
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        key_result = self.key_result("revenue", user_id=owner.id)
        self.env.flush_all()
        self.assertEqual(key_result.status, "not_started")
        with self.at(AFTER_Q4):
            action = key_result.with_user(owner).action_refresh()
        self.env.flush_all()
        self.assertTrue(key_result.last_computed_at)
        self.assertNotEqual(key_result.status, "not_started")
        # Refresh says what it did, then reloads the form.
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["message"], "1 key result(s) recomputed.")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(
            action["params"]["next"], {"type": "ir.actions.act_window_close"}
        )

    def test_refresh_says_which_key_results_failed(self):
        """A key result that cannot be computed is named with its error, in a
        notification that stays; the others are recomputed."""
        owner = self.company_user("okr_refresh_owner", "base.group_user")
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        computed = self.key_result("revenue", user_id=owner.id)
        failing = self.key_result(
            "revenue", user_id=owner.id, name="Revenue from credit-worthy customers"
        )
        # Its Extra Filter reads a field its scoper may not read.
        failing.scope_domain = "[('partner_id.credit_limit', '>=', 0)]"
        failing.scope_user_id = owner
        with self.at(AFTER_Q4), mute_logger(metric_engine.__name__):
            action = (computed | failing).with_user(owner).action_refresh()
        params = action["params"]
        self.assertEqual(params["type"], "warning")
        self.assertTrue(params["sticky"])
        self.assertRegex(
            params["message"],
            r"^1 key result\(s\) recomputed, 1 failed: "
            r"Revenue from credit-worthy customers: .+",
        )
        self.assertEqual(computed.current_value, 100.0)
        self.assertTrue(failing.compute_error)
