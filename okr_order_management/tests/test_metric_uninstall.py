from odoo.tests import tagged

from .metric_common import AFTER_Q4, MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricUninstall(MetricCase):
    """What a metric reads disappears (its module is uninstalled): the removal
    goes through, the metric is archived with the reason, its key results say
    so, and nothing reads a column that is gone."""

    def setUp(self):
        super().setUp()
        # Fields added by hand change the registry: put it back afterwards.
        self.addCleanup(self.registry.reset_changes)
        self.field = self.env["ir.model.fields"].create(
            {
                "name": "x_okr_weight",
                "field_description": "Weight",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "ttype": "float",
            }
        )
        self.metric_on_field = self.env["okr.metric"].create(
            {
                "name": "Weight sold",
                "code": "test_weight_sold",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "date_field_id": self.field_of("sale.order", "date_order").id,
                "domain": "[('state', '=', 'sale')]",
                "aggregate": "sum",
                "value_field_id": self.field.id,
            }
        )

    def field_of(self, model, name):
        return self.env["ir.model.fields"]._get(model, name)

    def test_removing_a_field_archives_its_metrics(self):
        order = self.sell(self.customer_a, local(2026, 11, 10, 10, 0))
        order.x_okr_weight = 12.5
        key_result = self.key_result("revenue", metric_id=self.metric_on_field.id)
        self.assertEqual(self.compute(key_result), 12.5)

        self.field.unlink()

        metric = self.metric_on_field
        self.assertFalse(metric.active)
        self.assertFalse(metric.value_field_id)
        self.assertIn("Weight", metric.invalid_reason)
        with self.at(AFTER_Q4):
            key_result._okr_recompute()
        self.assertRegex(key_result.compute_error, "“Weight sold” is archived")
        self.assertEqual(key_result.current_value, 12.5, "the last value stays")
        # Picking another field, it counts again.
        metric.write(
            {
                "value_field_id": self.field_of("sale.order", "amount_untaxed").id,
                "active": True,
            }
        )
        self.assertFalse(metric.invalid_reason)
        self.assertEqual(self.compute(key_result), 100.0)
        self.assertFalse(key_result.compute_error)

    def test_removing_a_model_archives_its_metrics(self):
        model = self.env["ir.model"].create(
            {"name": "OKR test source", "model": "x_okr_source"}
        )
        self.env["ir.model.fields"].create(
            [
                {
                    "name": "x_company_id",
                    "field_description": "Company",
                    "model_id": model.id,
                    "ttype": "many2one",
                    "relation": "res.company",
                },
            ]
        )
        metric = self.metric_on_field
        metric.write({"active": False})
        metric.model_id = model  # archived: not checked against its source
        model.unlink()
        self.assertFalse(metric.model_id)
        self.assertIn("OKR test source", metric.invalid_reason)
