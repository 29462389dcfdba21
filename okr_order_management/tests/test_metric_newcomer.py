from odoo.tests import tagged

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
