from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .metric_common import MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricDefinition(MetricCase):
    """Metrics defined without code, and every definition that is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An OKR manager without Settings rights: the group reads the models
        # and fields a metric is built from.
        # An OKR manager who may read every order: metrics on orders are
        # theirs to define (see test_metric_access for those who may not).
        cls.okr_admin = cls.company_user(
            "okr_metric_admin",
            "base.group_user,okr_order_management.group_okr_manager,"
            "sales_team.group_sale_salesman_all_leads",
        )
        cls.sale_order_model = cls.env.ref("sale.model_sale_order")

    @classmethod
    def field(cls, model, name):
        return cls.env["ir.model.fields"]._get(model, name)

    def valid_values(self, **vals):
        """A valid count of confirmed orders, changed by ``vals``."""
        return {
            "name": "Confirmed orders",
            "code": "test_confirmed_orders",
            "model_id": self.sale_order_model.id,
            "date_field_id": self.field("sale.order", "okr_confirmed_at").id,
            "domain": "[('state', '=', 'sale')]",
            "aggregate": "count",
            **vals,
        }

    def assertRefused(self, message, **vals):
        with self.assertRaisesMessage(ValidationError, message):
            self.env["okr.metric"].create(self.valid_values(**vals))

    # Defined through the form

    def _sell_scoped_orders(self):
        for partner, team, price, committed in (
            (self.customer_a_contact, self.team_north, 100.0, True),
            (self.customer_a, self.team_north, 300.0, False),
            (self.customer_b, self.team_north, 50.0, False),
            (self.customer_c, self.team_south, 900.0, True),
        ):
            self.sell(
                partner,
                local(2026, 11, 10, 10, 0),
                price=price,
                team_id=team.id,
                commitment_date=committed and local(2026, 11, 20, 10, 0),
            )
        cancelled = self.sell(self.customer_d, local(2026, 11, 10, 10, 0), price=5000)
        self.cancel(cancelled, local(2026, 11, 11, 10, 0))

    def test_custom_max_metric_through_the_form(self):
        self._sell_scoped_orders()
        form = Form(self.env["okr.metric"].with_user(self.okr_admin))
        form.name = "Largest order"
        form.code = "test_largest_order"
        form.model_id = self.sale_order_model
        # The usual scope fields of a sales order are guessed.
        self.assertEqual(form.team_field_id, self.field("sale.order", "team_id"))
        self.assertEqual(form.salesperson_field_id, self.field("sale.order", "user_id"))
        self.assertEqual(
            form.warehouse_field_id, self.field("sale.order", "warehouse_id")
        )
        form.date_field_id = self.field("sale.order", "okr_confirmed_at")
        form.domain = "[('state', '=', 'sale')]"
        form.aggregate = "max"
        form.value_field_id = self.field("sale.order", "okr_amount_company")
        form.value_type = "currency"
        metric = form.save()

        north = self.key_result(metric, team_id=self.team_north.id)
        south = self.key_result(metric, team_id=self.team_south.id)
        company = self.key_result(metric)
        self.compute(north | south | company)
        self.assertEqual(north.current_value, 300.0)
        self.assertEqual(south.current_value, 900.0)
        self.assertEqual(company.current_value, 900.0)  # not the cancelled 5000

    def test_custom_ratio_min_and_count_distinct_metrics(self):
        self._sell_scoped_orders()
        confirmed_at = self.field("sale.order", "okr_confirmed_at")
        with Form(self.env["okr.metric"].with_user(self.okr_admin)) as form:
            form.name = "Orders with a delivery date promised"
            form.code = "test_committed_share"
            form.model_id = self.sale_order_model
            form.date_field_id = confirmed_at
            form.domain = "[('state', '=', 'sale')]"
            form.aggregate = "ratio"
            form.numerator_domain = "[('commitment_date', '!=', False)]"
            form.value_type = "percentage"
        committed_share = form.record
        with Form(self.env["okr.metric"].with_user(self.okr_admin)) as form:
            form.name = "Smallest order"
            form.code = "test_smallest_order"
            form.model_id = self.sale_order_model
            form.date_field_id = confirmed_at
            form.domain = "[('state', '=', 'sale')]"
            form.aggregate = "min"
            form.value_field_id = self.field("sale.order", "amount_untaxed")
        smallest = form.record
        with Form(self.env["okr.metric"].with_user(self.okr_admin)) as form:
            form.name = "Customers served"
            form.code = "test_customers_served"
            form.model_id = self.sale_order_model
            form.date_field_id = confirmed_at
            form.domain = "[('state', '=', 'sale')]"
            form.aggregate = "count_distinct"
            form.value_field_id = self.field("sale.order", "okr_commercial_partner_id")
        customers = form.record

        share_north = self.key_result(committed_share, team_id=self.team_north.id)
        share = self.key_result(committed_share)
        smallest_north = self.key_result(smallest, team_id=self.team_north.id)
        customers_north = self.key_result(customers, team_id=self.team_north.id)
        self.compute(share_north | share | smallest_north | customers_north)
        self.assertAlmostEqual(share_north.current_value, 1 / 3 * 100)
        self.assertEqual(share.current_value, 50.0)
        self.assertEqual(smallest_north.current_value, 50.0)
        # Acme (through its contact, then itself) and Bolt.
        self.assertEqual(customers_north.current_value, 2.0)

    def test_custom_metric_on_stock_moves(self):
        """Another source, a domain through relations, a sum."""
        moves = self.env.ref("stock.model_stock_move")
        metric = self.env["okr.metric"].create(
            {
                "name": "Units shipped",
                "code": "test_units_shipped",
                "model_id": moves.id,
                "date_field_id": self.field("stock.move", "date").id,
                "domain": "[('state', '=', 'done'), "
                "('location_dest_id.usage', '=', 'customer')]",
                "aggregate": "sum",
                "value_field_id": self.field("stock.move", "quantity").id,
            }
        )
        first = self.sell(self.customer_a, local(2026, 11, 10, 10, 0), qty=5)
        self.deliver(first, local(2026, 11, 11, 10, 0), qty=3)
        self.deliver(first, local(2026, 11, 12, 10, 0))
        second = self.sell(self.customer_b, local(2026, 11, 10, 10, 0), qty=7)
        delivery = self.deliver(second, local(2026, 11, 11, 10, 0))
        self.return_goods(delivery, local(2026, 11, 13, 10, 0), 2)  # not to a customer
        self.assertEqual(self.value(metric), 3 + 2 + 7)

    # Refused definitions

    def test_domains_are_literals_never_code(self):
        for domain in (
            "__import__('os').getcwd()",
            "[('state', '=', __import__('os').getpid())]",
            "[('state', '=', sale)]",
            "env['sale.order'].search([])",
        ):
            with self.subTest(domain=domain):
                self.assertRefused("not a valid domain", domain=domain)

    def test_invalid_domains(self):
        for domain, reason in (
            ("[('nope', '=', 1)]", "Invalid field sale.order.nope"),
            ("[('partner_id.nope', '=', 1)]", "Invalid field res.partner.nope"),
            ("{'state': 'sale'}", "a domain is a list of conditions"),
            ("'state = sale'", "a domain is a list of conditions"),
            ("[('state', '=', 'sale')", "never closed"),
            ("[('state', 'like like', 'x')]", "Invalid leaf"),
            ("[('amount_total', '>', 'abc')]", "could not convert"),
            ("[1, 2]", "not iterable"),
            ("['|', ('state', '=', 'sale')]", "pop from empty list"),
        ):
            with self.subTest(domain=domain):
                self.assertRefused(
                    rf"Records of “Confirmed orders” is not a valid domain on "
                    rf"Sales Order: .*{reason}.*Write a list of conditions",
                    domain=domain,
                )

    def test_values_postgresql_refuses(self):
        """Values the ORM passes through are refused on save, not at every
        recompute."""
        for domain, reason in (
            ("[('date_order', '>=', 'last month')]", "invalid input syntax"),
            ("[('date_order', '>=', 2026)]", "invalid input syntax"),
            ("[('commitment_date', '<', '2026-02-30')]", "out of range"),
            ("[('id', '=', 'SO001')]", "invalid input syntax for type integer"),
        ):
            with self.subTest(domain=domain):
                self.assertRefused(
                    rf"Records of “Confirmed orders” compares a field of Sales "
                    rf"Order with a value of the wrong kind: .*{reason}.*Write "
                    rf"dates as",
                    domain=domain,
                )
        self.assertRefused(
            "Numerator Domain of “Confirmed orders” compares a field",
            aggregate="ratio",
            numerator_domain="[('date_order', '<', 'soon')]",
        )

    def test_invalid_ratio(self):
        self.assertRefused(
            "The ratio metric “Confirmed orders” needs a numerator domain",
            aggregate="ratio",
        )
        self.assertRefused(
            "needs a numerator domain", aggregate="ratio", numerator_domain="  "
        )
        self.assertRefused(
            "Numerator Domain of “Confirmed orders” is not a valid domain.*"
            "Invalid field sale.order.nope",
            aggregate="ratio",
            numerator_domain="[('nope', '=', True)]",
        )

    def test_invalid_value_fields(self):
        numeric = (
            "The metric “Confirmed orders” needs a stored numeric field of Sales "
            "Order as its value field"
        )
        distinct = (
            "The metric “Confirmed orders” counts the distinct values of a field: "
            "pick a stored field of Sales Order that holds one value per record"
        )
        for aggregate, field, message in (
            ("sum", False, numeric),
            ("avg", ("sale.order", "amount_undiscounted"), numeric),  # not stored
            ("max", ("sale.order", "name"), numeric),  # not a number
            ("min", ("sale.order", "okr_confirmed_at"), numeric),
            ("sum", ("sale.order.line", "price_subtotal"), numeric),  # other model
            ("count_distinct", ("sale.order", "order_line"), distinct),  # many
            ("count_distinct", ("sale.order", "expected_date"), distinct),
            ("count_distinct", False, distinct),
        ):
            with self.subTest(aggregate=aggregate, field=field):
                self.assertRefused(
                    message,
                    aggregate=aggregate,
                    value_field_id=field and self.field(*field).id,
                )

    def test_invalid_date_fields(self):
        message = (
            "The metric “Confirmed orders” needs a stored date or date-time field "
            "of Sales Order to place records in a window"
        )
        for field in (
            False,
            ("sale.order", "expected_date"),  # not stored
            ("sale.order", "amount_total"),  # not a date
            ("stock.picking", "date_done"),  # another model
        ):
            with self.subTest(field=field):
                self.assertRefused(
                    message, date_field_id=field and self.field(*field).id
                )

    def test_invalid_sources(self):
        self.assertRefused(
            "The source of the metric “Confirmed orders” must have a company",
            model_id=self.env.ref("sales_team.model_crm_tag").id,
            date_field_id=self.field("crm.tag", "create_date").id,
            domain="[]",
        )
        self.assertRefused(
            "is computed by the addon, but no computation has the code "
            "“test_confirmed_orders”",
            aggregate="coded",
        )

    def test_invalid_scope_fields(self):
        self.assertRefused(
            "“Sales Team Field” of the metric “Confirmed orders” must be a stored "
            "link of Sales Order to Sales Team",
            team_field_id=self.field("sale.order", "user_id").id,
        )
        self.assertRefused(
            "“Warehouse Field” .* must be a stored link of Sales Order to Warehouse",
            warehouse_field_id=self.field("stock.picking", "okr_warehouse_id").id,
        )

    def test_a_valid_metric_cannot_become_invalid(self):
        metric = self.env["okr.metric"].create(self.valid_values())
        with self.assertRaisesMessage(ValidationError, "stored numeric field"):
            metric.aggregate = "avg"
        with self.assertRaisesMessage(ValidationError, "not a valid domain"):
            metric.domain = "[('nope', '=', 1)]"
        with self.assertRaisesMessage(ValidationError, "needs a numerator domain"):
            metric.aggregate = "ratio"

    def test_codes_are_unique(self):
        self.env["okr.metric"].create(self.valid_values())
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["okr.metric"].create(self.valid_values(name="Again"))

    def test_invalid_form_is_not_saved(self):
        form = Form(self.env["okr.metric"].with_user(self.okr_admin))
        form.name = "Broken"
        form.code = "test_broken"
        form.model_id = self.sale_order_model
        form.date_field_id = self.field("sale.order", "okr_confirmed_at")
        form.domain = "[('okr_no_such_field', '=', 1)]"
        with self.assertRaisesMessage(ValidationError, "okr_no_such_field"):
            form.save()

    # Refused key results

    def test_invalid_metric_key_results(self):
        revenue = self.metric("revenue")
        turnover = self.metric("inventory_turnover")
        for vals, message in (
            ({"metric_id": False}, "is computed from a metric: pick the metric"),
            (
                {"window": "rolling", "window_days": 0},
                "measures the last 0 days: set from 1 to 3,660 days",
            ),
            (
                {"metric_id": turnover.id, "team_id": self.team_north.id},
                "The metric “Inventory turnover” cannot be scoped by Sales Team",
            ),
            (
                {"metric_id": turnover.id, "warehouse_id": self.warehouse.id},
                "cannot be scoped by Warehouse",
            ),
            (
                {"scope_domain": "[('nope', '=', 1)]"},
                "Extra Filter of “KR” is not a valid domain on Sales Order",
            ),
            (
                {"scope_domain": "__import__('os').getcwd()"},
                "Extra Filter of “KR” is not a valid domain",
            ),
            (
                {"scope_domain": "[('commitment_date', '>=', '2026-13-01')]"},
                "Extra Filter of “KR” compares a field of Sales Order with a "
                "value of the wrong kind: date/time field value out of range",
            ),
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesMessage(ValidationError, message):
                    self.key_result(revenue, name="KR", **vals)
        key_result = self.key_result(revenue, name="KR")
        with self.assertRaisesMessage(ValidationError, "not a valid domain"):
            key_result.scope_domain = "[('state', '=', 'sale'), '|']"
