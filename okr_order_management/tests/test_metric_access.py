"""Nobody learns through a key result what they could not read.

Values are computed as the superuser, so every definition (a metric, a key
result's scope and extra filter) is checked with the rights of the user who
saves it, and the engine compiles each domain with the rights of the user who
typed it. Each refusal is tried as the user with the fewest rights that make
sense, and checked to have stored and computed nothing.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .. import metric_engine
from .common import call_kw
from .metric_common import AFTER_Q4, Q4_END, Q4_START, MetricCase, local

#: What the message of a population refusal says to do.
ASK_SOMEONE = "ask a user who may read all of them"
#: The refusal of a population the user may not read, on sales orders.
ORDERS_REFUSED = "would count Sales Order that you are not allowed to read"
#: HR fields that an OKR user with Sales rights only cannot reach.
HR_FILTERS = (
    "[('user_id.employee_ids.private_email', '!=', False)]",
    "[('user_id.employee_ids', 'any', [('private_email', 'ilike', '@')])]",
    "[('user_id', 'any', [('employee_ids', 'any', [('private_email', '!=', False)])])]",
    "[('partner_id.employee_ids', '!=', False)]",
)


class AccessCase(MetricCase):
    """The people of the access tests, and orders of both salespeople."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # OKR user with Sales "own documents": salesperson_1 and _2.
        cls.salesperson = cls.salesperson_1
        cls.colleague = cls.salesperson_2
        cls.sales_manager = cls.company_user(
            "okr_access_sales_manager", "sales_team.group_sale_manager"
        )
        # OKR managers: without any application right, with every order but
        # no HR or Accounting, with their own orders only, with invoices.
        okr_manager = "base.group_user,okr_order_management.group_okr_manager"
        cls.okr_manager = cls.company_user("okr_access_okr_manager", okr_manager)
        cls.okr_manager_sales = cls.company_user(
            "okr_access_okr_manager_sales",
            f"{okr_manager},sales_team.group_sale_salesman_all_leads",
        )
        cls.okr_manager_own = cls.company_user(
            "okr_access_okr_manager_own",
            f"{okr_manager},sales_team.group_sale_salesman",
        )
        cls.okr_accountant = cls.company_user(
            "okr_access_okr_accountant", f"{okr_manager},account.group_account_invoice"
        )
        # Of the second company only, with Sales "own documents".
        cls.stranger = new_test_user(
            cls.env,
            login="okr_access_stranger",
            groups="sales_team.group_sale_salesman",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.revenue = cls.metric("revenue")

    def sell_orders(self):
        """Salesperson: 100 (North) + 200 (South); colleague: 400 (North)."""
        for day, partner, team, user, price in (
            (2, self.customer_a, self.team_north, self.salesperson, 100.0),
            (5, self.customer_b, self.team_south, self.salesperson, 200.0),
            (9, self.customer_c, self.team_north, self.colleague, 400.0),
        ):
            self.sell(
                partner,
                local(2026, 11, day, 10, 0),
                price=price,
                team_id=team.id,
                user_id=user.id,
            )

    def key_result_as(self, user, objective=None, **vals):
        """A revenue key result created by ``user`` on their own objective."""
        objective = objective or self.own_objective(user)
        return (
            self.env["okr.key.result"]
            .with_user(user)
            .create(
                {
                    "name": vals.pop("name", "Revenue"),
                    "objective_id": objective.id,
                    "source": "metric",
                    "metric_id": vals.pop("metric_id", self.revenue.id),
                    "window": "cycle",
                    "start_value": 0.0,
                    "target_value": 1000.0,
                    **vals,
                }
            )
        )

    def assertNothingStored(self, objective):
        """No key result, check-in or recompute request was left behind."""
        self.env.invalidate_all()
        self.assertFalse(objective.key_result_ids)
        self.assertFalse(
            self.env["okr.checkin"].search(
                [("key_result_id.objective_id", "=", objective.id)]
            )
        )

    def metric_values(self, model, date_field, **vals):
        IrFields = self.env["ir.model.fields"]
        return {
            "name": vals.pop("name", f"Test {model}"),
            "code": vals.pop("code", f"test_access_{model.replace('.', '_')}"),
            "model_id": self.env["ir.model"]._get(model).id,
            "date_field_id": IrFields._get(model, date_field).id,
            "domain": "[]",
            "aggregate": "count",
            **vals,
        }

    def order_metric_values(self, **vals):
        IrFields = self.env["ir.model.fields"]
        return self.metric_values(
            "sale.order",
            "okr_confirmed_at",
            team_field_id=IrFields._get("sale.order", "team_id").id,
            salesperson_field_id=IrFields._get("sale.order", "user_id").id,
            **vals,
        )


@tagged("post_install", "-at_install")
class TestMetricAccess(AccessCase):
    """Through the ORM: what each user may define, scope and refresh."""

    # An OKR user with Sales "own documents"

    def test_salesperson_cannot_filter_on_hr_fields(self):
        self.sell_orders()
        objective = self.own_objective(self.salesperson)
        for scope_domain in HR_FILTERS:
            with (
                self.subTest(scope_domain=scope_domain),
                self.assertRaisesMessage(ValidationError, "Employee"),
            ):
                self.key_result_as(
                    self.salesperson,
                    objective,
                    salesperson_id=self.salesperson.id,
                    scope_domain=scope_domain,
                )
        self.assertNothingStored(objective)

    def test_salesperson_cannot_measure_a_colleague_a_team_or_the_company(self):
        self.sell_orders()
        objective = self.own_objective(self.salesperson)
        for scope in (
            {"salesperson_id": self.colleague.id},
            {"team_id": self.team_north.id},
            {},
            {"scope_domain": f"[('user_id', '=', {self.colleague.id})]"},
            {"scope_domain": f"[('team_id', '=', {self.team_north.id})]"},
        ):
            with self.subTest(scope=scope):
                with self.assertRaisesMessage(
                    ValidationError, ORDERS_REFUSED
                ) as caught:
                    self.key_result_as(self.salesperson, objective, **scope)
                self.assertIn(ASK_SOMEONE, str(caught.exception))
        self.assertNothingStored(objective)

    def test_salesperson_measures_their_own_orders(self):
        self.sell_orders()
        key_result = self.key_result_as(
            self.salesperson, salesperson_id=self.salesperson.id
        )
        self.assertEqual(key_result.scope_user_id, self.salesperson)
        with self.at(AFTER_Q4):
            key_result.with_user(self.salesperson).action_refresh()
        key_result.invalidate_recordset()
        self.assertFalse(key_result.compute_error)
        self.assertEqual(key_result.current_value, 300.0)
        # Their own orders, by an extra filter on themselves, too.
        by_filter = self.key_result_as(
            self.salesperson,
            scope_domain=f"[('user_id', '=', {self.salesperson.id})]",
        )
        self.assertEqual(self.compute(by_filter), 300.0)

    def test_salesperson_cannot_widen_a_key_result_they_own(self):
        """Their own key result, scoped to themselves, changed to a colleague
        or a team: refused, and it keeps measuring what it measured."""
        self.sell_orders()
        key_result = self.key_result_as(
            self.salesperson, salesperson_id=self.salesperson.id
        )
        self.compute(key_result)
        for vals in (
            {"salesperson_id": self.colleague.id},
            {"salesperson_id": False},
            {"salesperson_id": False, "team_id": self.team_north.id},
            {"salesperson_id": False, "scope_domain": "[('user_id', '!=', False)]"},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesMessage(ValidationError, ORDERS_REFUSED),
            ):
                key_result.with_user(self.salesperson).write(vals)
        key_result.invalidate_recordset()
        self.assertRecordValues(
            key_result,
            [
                {
                    "salesperson_id": self.salesperson.id,
                    "team_id": False,
                    "scope_domain": "[]",
                    "scope_user_id": self.salesperson.id,
                    "current_value": 300.0,
                }
            ],
        )

    def test_salesperson_duplicates_their_own_key_result(self):
        """Duplicating a key result they may set up: a copy of the same
        measure, theirs, computed again (not a copy of the computed value)."""
        self.sell_orders()
        key_result = self.key_result_as(
            self.salesperson, salesperson_id=self.salesperson.id
        )
        self.compute(key_result)
        duplicate = key_result.with_user(self.salesperson).copy()
        self.assertRecordValues(
            duplicate,
            [
                {
                    "source": "metric",
                    "salesperson_id": self.salesperson.id,
                    "scope_user_id": self.salesperson.id,
                    "last_computed_at": False,
                    "compute_error": False,
                }
            ],
        )
        self.assertEqual(self.compute(duplicate), 300.0)

    def test_salesperson_cannot_copy_a_managers_scope(self):
        """A team's key result, set up by the sales manager, copied onto the
        salesperson's objective: the copy is theirs, and refused."""
        self.sell_orders()
        team_kr = self.key_result_as(self.sales_manager, team_id=self.team_north.id)
        objective = self.own_objective(self.salesperson)
        with self.assertRaisesMessage(ValidationError, ORDERS_REFUSED):
            team_kr.with_user(self.salesperson).copy({"objective_id": objective.id})
        self.assertNothingStored(objective)

    def test_population_is_checked_on_what_can_ever_count(self):
        """A filter that only selects the salesperson's own orders today (a
        customer only they sold to) still counts, when the colleague sells to
        that customer later, orders the salesperson may not read.

        The rule is that nobody learns through a key result what they could
        not read: the colleague's order must not show in the value.
        """
        self.sell_orders()
        key_result = self.key_result_as(
            self.salesperson,
            scope_domain=f"[('partner_id', '=', {self.customer_a.id})]",
        )
        self.assertEqual(self.compute(key_result), 100.0)
        # The colleague sells 5000 to the same customer: the salesperson may
        # not read that order...
        order = self.sell(
            self.customer_a,
            local(2026, 12, 1, 10, 0),
            price=5000.0,
            user_id=self.colleague.id,
            team_id=self.team_north.id,
        )
        with self.assertRaises(AccessError):
            order.with_user(self.salesperson).read(["amount_untaxed"])
        # ... nor learn it from their key result's value.
        with self.at(AFTER_Q4):
            key_result.with_user(self.salesperson).action_refresh()
        key_result.invalidate_recordset()
        self.assertEqual(
            key_result.current_value,
            100.0,
            "the key result counts an order its scoper may not read",
        )

    def test_anyone_may_read_and_only_editors_may_refresh(self):
        """(d) Reading stays open; (f) Refresh needs write access."""
        self.sell_orders()
        team_kr = self.key_result_as(self.sales_manager, team_id=self.team_north.id)
        self.compute(team_kr)
        checkins = team_kr.checkin_ids
        for reader in (self.salesperson, self.colleague, self.okr_manager):
            with self.subTest(reader=reader.login):
                self.assertEqual(team_kr.with_user(reader).current_value, 500.0)
        for user in (self.salesperson, self.colleague):
            with self.subTest(refresh=user.login), self.assertRaises(AccessError):
                team_kr.with_user(user).action_refresh()
        own = self.key_result_as(self.salesperson, salesperson_id=self.salesperson.id)
        with self.assertRaises(AccessError):
            (own | team_kr).with_user(self.salesperson).action_refresh()
        team_kr.invalidate_recordset()
        self.assertEqual(team_kr.last_computed_at, AFTER_Q4)
        self.assertEqual(team_kr.checkin_ids, checkins)
        self.assertFalse(own.last_computed_at)

    # OKR managers defining metrics

    def test_okr_manager_without_rights_cannot_define_hr_or_invoice_metrics(self):
        Metric = self.env["okr.metric"].with_user(self.okr_manager)
        for model, date_field, label in (
            ("hr.employee", "create_date", "Employee"),
            ("account.move", "invoice_date", "Journal Entry"),
            ("sale.order", "okr_confirmed_at", "Sales Order"),
        ):
            with (
                self.subTest(model=model),
                self.assertRaisesMessage(
                    ValidationError,
                    f"would count {label}, which you are not allowed to read",
                ),
            ):
                Metric.create(self.metric_values(model, date_field))
        self.assertFalse(
            self.env["okr.metric"].search([("code", "like", "test_access")])
        )

    def test_okr_manager_cannot_reach_fields_of_groups_they_lack(self):
        """With every order but no HR or Accounting: fields of other
        applications reached from the orders are refused, wherever typed."""
        Metric = self.env["okr.metric"].with_user(self.okr_manager_sales)
        for vals, message in (
            (
                {"domain": "[('partner_id.credit_limit', '>', 0)]"},
                "“Credit Limit” of Contact, which you are not allowed to read",
            ),
            (
                {"domain": "[('partner_id', 'any', [('credit_limit', '>', 0)])]"},
                "“Credit Limit” of Contact, which you are not allowed to read",
            ),
            (
                {"domain": "[('partner_id.employee_ids.private_email', '!=', False)]"},
                "“Employees” of Contact, which you are not allowed to read",
            ),
            (
                {"domain": "[('user_id.employee_ids', '!=', False)]"},
                "goes through Employee, which you are not allowed to read",
            ),
            (
                {
                    "aggregate": "ratio",
                    "numerator_domain": "[('partner_id.credit_limit', '>', 0)]",
                },
                "“Credit Limit” of Contact",
            ),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesMessage(ValidationError, message),
            ):
                Metric.create(self.order_metric_values(**vals))
        # A metric they may define, changed to one of those: refused, unchanged.
        metric = Metric.create(self.order_metric_values())
        with self.assertRaisesMessage(ValidationError, "Credit Limit"):
            metric.write({"domain": "[('partner_id.credit_limit', '>', 0)]"})
        metric.invalidate_recordset()
        self.assertEqual(metric.domain, "[]")
        self.assertEqual(metric.configured_by_id, self.okr_manager_sales)

    def test_okr_manager_with_accounting_rights_counts_invoices(self):
        journal = self.env["account.journal"].create(
            {
                "name": "OKR Sales",
                "type": "sale",
                "code": "OKRS",
                "company_id": self.company.id,
            }
        )
        Move = self.env["account.move"]
        for move_type, day in (
            ("out_invoice", date(2026, 10, 3)),
            ("out_invoice", date(2026, 12, 31)),
            ("out_invoice", date(2026, 9, 30)),  # before the cycle
            ("out_refund", date(2026, 11, 3)),
        ):
            Move.create(
                {
                    "move_type": move_type,
                    "partner_id": self.customer_a.id,
                    "journal_id": journal.id,
                    "invoice_date": day,
                    "company_id": self.company.id,
                }
            )
        metric = (
            self.env["okr.metric"]
            .with_user(self.okr_accountant)
            .create(
                self.metric_values(
                    "account.move",
                    "invoice_date",
                    name="Invoices",
                    domain="[('move_type', '=', 'out_invoice')]",
                )
            )
        )
        self.assertEqual(metric.configured_by_id, self.okr_accountant)
        key_result = self.key_result_as(self.okr_accountant, metric_id=metric.id)
        self.assertEqual(self.compute(key_result), 2.0)
        # Everybody reads the number; not the invoices behind it.
        self.assertEqual(key_result.with_user(self.salesperson).current_value, 2.0)
        with self.assertRaises(UserError):
            key_result.with_user(self.okr_manager).action_view_records()

    def test_okr_manager_cannot_redefine_a_metric_counted_by_others(self):
        """An OKR manager with Sales "own documents" may edit metrics. One that
        a sales manager's team key result follows, narrowed to large orders,
        would tell them how many of the team's orders are large: orders they
        may not read. The change must be refused (or not count them)."""
        self.sell_orders()
        metric = self.env["okr.metric"].create(
            self.order_metric_values(name="Orders", domain="[('state', '=', 'sale')]")
        )
        team_kr = self.key_result_as(
            self.sales_manager, metric_id=metric.id, team_id=self.team_north.id
        )
        self.assertEqual(self.compute(team_kr), 2.0)
        try:
            metric.with_user(self.okr_manager_own).write(
                {"domain": "[('state', '=', 'sale'), ('amount_untaxed', '>', 250)]"}
            )
        except ValidationError:
            return  # refused: nothing to learn
        # Accepted: the team's value must not reveal the colleague's 400 order.
        value = self.compute(team_kr)
        self.assertEqual(
            value,
            0.0,
            "the team's value counts, for the metric's editor, an order they "
            "may not read",
        )

    # A user of the second company

    def test_user_of_another_company_cannot_count_the_first(self):
        self.sell_orders()
        as_stranger = {"allowed_company_ids": self.other_company.ids}
        KeyResult = self.env["okr.key.result"].with_user(self.stranger)
        KeyResult = KeyResult.with_context(**as_stranger)
        vals = {
            "name": "Shanghai revenue",
            "source": "metric",
            "metric_id": self.revenue.id,
            "window": "cycle",
            "salesperson_id": self.stranger.id,
            "target_value": 1000.0,
        }
        # On the first company's objective, or one of theirs in it.
        theirs_there = self.own_objective(self.stranger)
        for objective in (self.objective, theirs_there):
            with self.subTest(objective=objective.name), self.assertRaises(AccessError):
                KeyResult.create(dict(vals, objective_id=objective.id))
        self.assertFalse(self.objective.key_result_ids)
        self.assertNothingStored(theirs_there)

        # In their own company, scoped to themselves: allowed, and a path
        # through a shared customer to the first company's orders counts
        # nothing of them.
        other_cycle = self.env["okr.cycle"].create(
            {
                "name": "2026 Q4 Other",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": self.other_company.id,
                "state": "active",
            }
        )
        objective = self.env["okr.objective"].create(
            {
                "name": "Other sells more",
                "cycle_id": other_cycle.id,
                "company_id": self.other_company.id,
                "user_id": self.stranger.id,
            }
        )
        for partner, user, price in (
            (self.customer_a, self.stranger, 50.0),
            (self.customer_b, self.admin, 80.0),
        ):
            self.sell(
                partner,
                local(2026, 11, 10, 10, 0),
                price=price,
                company=self.other_company,
                user_id=user.id,
                warehouse_id=self.other_warehouse.id,
                team_id=self.other_team.id,
            )
        with self.assertRaisesMessage(ValidationError, ORDERS_REFUSED):
            KeyResult.create(
                dict(vals, objective_id=objective.id, salesperson_id=False)
            )
        self.assertNothingStored(objective)
        # Customer A has a 100 order in the first company, which they may not
        # read: their own 50 order to A does not count through it.
        through_shared_customer = KeyResult.create(
            dict(
                vals,
                objective_id=objective.id,
                scope_domain="[('partner_id.sale_order_ids.amount_untaxed', '>=', "
                "100)]",
            )
        )
        own = KeyResult.create(dict(vals, objective_id=objective.id, name="Own"))
        self.assertEqual(self.compute(own), 50.0)
        self.assertEqual(self.compute(through_shared_customer), 0.0)
        # As the superuser, the same filter would have counted it.
        through_shared_customer.sudo().scope_user_id = False
        self.assertEqual(self.compute(through_shared_customer), 50.0)

    # A sales manager

    def test_sales_manager_scopes_to_a_colleague_a_team_or_the_company(self):
        self.sell_orders()
        objective = self.own_objective(self.sales_manager)
        for scope, expected in (
            ({"salesperson_id": self.colleague.id}, 400.0),
            ({"salesperson_id": self.salesperson.id}, 300.0),
            ({"team_id": self.team_north.id}, 500.0),
            ({}, 700.0),
        ):
            with self.subTest(scope=scope):
                key_result = self.key_result_as(self.sales_manager, objective, **scope)
                self.assertEqual(key_result.scope_user_id, self.sales_manager)
                self.assertEqual(self.compute(key_result), expected)

    # Non-stored fields

    def test_non_stored_fields_are_refused_with_their_name(self):
        Metric = self.env["okr.metric"].with_user(self.okr_manager_sales)
        stored = "which is computed on the fly and not stored"
        for vals, message in (
            (
                {"domain": "[('amount_to_invoice', '>', 0)]"},
                f"“Un-invoiced Balance” of Sales Order, {stored}",
            ),
            (
                {
                    "aggregate": "ratio",
                    "numerator_domain": "[('is_expired', '=', True)]",
                },
                f"“Is Expired” of Sales Order, {stored}",
            ),
            (
                {"domain": "[('partner_id.contact_address', 'ilike', 'Road')]"},
                f"“Complete Address” of Contact, {stored}",
            ),
            (
                {
                    "domain": "[('partner_id', 'any', "
                    "[('contact_address', 'ilike', 'Road')])]"
                },
                f"“Complete Address” of Contact, {stored}",
            ),
            (
                {
                    "domain": "[('order_line', 'not any', "
                    "[('qty_invoiced_posted', '>', 0)])]"
                },
                f"“Invoiced Quantity \\(posted\\)” of Sales Order Line, {stored}",
            ),
            (
                {
                    "aggregate": "sum",
                    "value_field_id": self.env["ir.model.fields"]
                    ._get("sale.order", "amount_to_invoice")
                    .id,
                },
                "stored numeric field of Sales Order as its value field",
            ),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesMessage(ValidationError, message),
            ):
                Metric.create(self.order_metric_values(**vals))
        objective = self.own_objective(self.salesperson)
        for scope_domain, message in (
            ("[('is_expired', '=', False)]", "“Is Expired” of Sales Order"),
            (
                "[('order_line', 'any', [('qty_invoiced_posted', '>', 0)])]",
                "“Invoiced Quantity \\(posted\\)” of Sales Order Line",
            ),
            (
                "[('partner_id.contact_address', '!=', False)]",
                "“Complete Address” of Contact",
            ),
        ):
            with (
                self.subTest(scope_domain=scope_domain),
                self.assertRaisesMessage(ValidationError, f"{message}, {stored}"),
            ):
                self.key_result_as(
                    self.salesperson,
                    objective,
                    salesperson_id=self.salesperson.id,
                    scope_domain=scope_domain,
                )
        self.assertNothingStored(objective)

    # The engine compiles each domain with its author's rights

    def _sell_to_a_partner_of_the_other_company(self):
        """A 700 order of the Shanghai company to a customer that then moves
        to the other company, whose contacts Shanghai users may not read."""
        self.sell_orders()
        partner = self.env["res.partner"].create({"name": "Moving Co"})
        self.sell(
            partner,
            local(2026, 11, 20, 10, 0),
            price=700.0,
            user_id=self.colleague.id,
            team_id=self.team_south.id,
        )
        partner.company_id = self.other_company
        with self.assertRaises(AccessError):
            partner.with_user(self.sales_manager).read(["name"])
        return partner

    def test_extra_filter_is_compiled_as_its_scoper(self):
        self._sell_to_a_partner_of_the_other_company()
        other = f"[('partner_id.company_id', '=', {self.other_company.id})]"
        # Set up by the superuser: its rights, it counts the order.
        key_result = self.key_result("revenue", scope_domain=other)
        self.assertFalse(key_result.scope_user_id)
        self.assertEqual(self.compute(key_result), 700.0)
        # Scoped by the sales manager (the superuser may set it): their rights.
        key_result.sudo().scope_user_id = self.sales_manager
        self.assertEqual(self.compute(key_result), 0.0)
        # The same, set up by the sales manager themselves.
        theirs = self.key_result_as(self.sales_manager, scope_domain=other)
        self.assertEqual(self.compute(theirs), 0.0)
        # Scoped by a user who may not read a field of it: an error, no value.
        credit = "[('partner_id.credit_limit', '>=', 0)]"
        key_result.sudo().write({"scope_domain": credit})
        # 100 + 200 + 400 + 700: every order, as the superuser.
        self.assertEqual(self.compute(key_result), 1400.0)
        key_result.sudo().scope_user_id = self.salesperson
        with self.at(AFTER_Q4), mute_logger(metric_engine.__name__):
            key_result._okr_recompute()
        key_result.invalidate_recordset()
        self.assertTrue(key_result.compute_error)
        self.assertEqual(key_result.current_value, 1400.0, "the last value stays")

    def test_metric_domain_is_compiled_as_its_configurer(self):
        self._sell_to_a_partner_of_the_other_company()
        other = (
            "[('state', '=', 'sale'), "
            f"('partner_id.company_id', '=', {self.other_company.id})]"
        )
        by_superuser = self.env["okr.metric"].create(
            self.order_metric_values(code="test_access_by_su", domain=other)
        )
        self.assertFalse(by_superuser.configured_by_id)
        by_manager = (
            self.env["okr.metric"]
            .with_user(self.okr_manager_sales)
            .create(self.order_metric_values(code="test_access_by_mgr", domain=other))
        )
        self.assertEqual(by_manager.configured_by_id, self.okr_manager_sales)
        self.assertEqual(self.value(by_superuser), 1.0)
        self.assertEqual(self.value(by_manager), 0.0)


@tagged("post_install", "-at_install")
class TestMetricAccessRpc(HttpCase, AccessCase):
    """As a client would: JSON-RPC with hostile values, as the OKR user with
    Sales "own documents", checking that nothing changed."""

    #: A context a client may send, in the hope that one key unlocks something.
    HOSTILE_CONTEXT = {
        "okr_engine": True,
        "okr_recompute": True,
        "tracking_disable": True,
        "install_mode": True,
        "import_file": True,
    }

    def setUp(self):
        super().setUp()
        self.sell_orders()
        self.own_kr = self.key_result_as(
            self.salesperson, salesperson_id=self.salesperson.id
        )
        self.compute(self.own_kr)
        self.authenticate(self.salesperson.login, self.salesperson.login)

    def call(self, model, method, *args, **kwargs):
        return call_kw(self, model, method, *args, **kwargs)

    def assertRefused(self, reply, exceptions, regex=""):
        """``reply`` is the error of one of ``exceptions`` (a class or a
        tuple), its message matching ``regex``."""
        self.assertIn("error", reply, f"accepted: {reply.get('result')!r}")
        data = reply["error"]["data"]
        if not isinstance(exceptions, tuple):
            exceptions = (exceptions,)
        self.assertIn(
            data["name"], [f"odoo.exceptions.{e.__name__}" for e in exceptions]
        )
        if regex:
            self.assertRegex(data["message"], regex)

    def assertUnchanged(self, key_result, snapshot):
        key_result.invalidate_recordset()
        [values] = key_result.read(list(snapshot))
        self.assertEqual({fname: values[fname] for fname in snapshot}, snapshot)

    def snapshot(self, key_result):
        fnames = [
            "current_value",
            "last_computed_at",
            "no_data_since",
            "compute_error",
            "scope_user_id",
            "salesperson_id",
            "team_id",
            "scope_domain",
        ]
        [values] = key_result.read(fnames)
        del values["id"]
        return values

    def test_rpc_engine_fields_are_refused(self):
        key_result = self.own_kr
        self.assertEqual(key_result.current_value, 300.0)
        before = self.snapshot(key_result)
        checkins = key_result.checkin_ids
        for vals in (
            {"current_value": 1e6},
            {"current_value": 1e6, "source": "manual"},
            {"last_computed_at": "2030-01-01 00:00:00"},
            {"no_data_since": "2026-10-01 00:00:00"},
            {"compute_error": "forged"},
            {"compute_error": False, "current_value": 0.0},
            {"scope_user_id": self.admin.id},
            {"scope_user_id": False},
            {"name": "Renamed", "scope_user_id": self.sales_manager.id},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    self.call(
                        "okr.key.result",
                        "write",
                        [key_result.id],
                        vals,
                        context=self.HOSTILE_CONTEXT,
                    ),
                    UserError,
                )
                self.assertRefused(
                    self.call(
                        "okr.key.result",
                        "web_save",
                        [key_result.id],
                        vals,
                        specification={"current_value": {}},
                    ),
                    UserError,
                )
                self.assertUnchanged(key_result, before)
        self.assertEqual(key_result.name, "Revenue")
        self.assertEqual(key_result.checkin_ids, checkins)

    def test_rpc_create_with_forged_or_unreadable_scope_is_refused(self):
        objective = self.own_objective(self.salesperson)
        vals = {
            "name": "Forged",
            "objective_id": objective.id,
            "source": "metric",
            "metric_id": self.revenue.id,
            "window": "cycle",
            "target_value": 1000.0,
        }
        own = {"salesperson_id": self.salesperson.id}
        for hostile, exception, regex in (
            ({**own, "scope_user_id": self.admin.id}, UserError, "set by the addon"),
            ({"scope_user_id": self.admin.id}, UserError, "set by the addon"),
            ({**own, "current_value": 999.0}, UserError, "computed from its metric"),
            ({**own, "last_computed_at": "2027-01-05 01:00:00"}, UserError, ""),
            ({"salesperson_id": self.colleague.id}, ValidationError, ORDERS_REFUSED),
            ({"team_id": self.team_north.id}, ValidationError, ASK_SOMEONE),
            ({}, ValidationError, ORDERS_REFUSED),
            ({**own, "scope_domain": HR_FILTERS[0]}, ValidationError, "Employee"),
            (
                {**own, "scope_domain": "[('amount_to_invoice', '>', 0)]"},
                ValidationError,
                "Un-invoiced Balance",
            ),
        ):
            with self.subTest(vals=hostile):
                self.assertRefused(
                    self.call(
                        "okr.key.result",
                        "create",
                        [{**vals, **hostile}],
                        context=self.HOSTILE_CONTEXT,
                    ),
                    exception,
                    regex,
                )
                # Inline, as a line of the objective's form.
                self.assertRefused(
                    self.call(
                        "okr.objective",
                        "write",
                        [objective.id],
                        {"key_result_ids": [Command.create({**vals, **hostile})]},
                    ),
                    exception,
                    regex,
                )
        # Through an import: refused line by line, nothing created.
        reply = self.call(
            "okr.key.result",
            "load",
            [
                "name",
                "objective_id/.id",
                "source",
                "metric_id/.id",
                "salesperson_id/.id",
                "current_value",
            ],
            [
                [
                    "Imported",
                    str(objective.id),
                    "metric",
                    str(self.revenue.id),
                    str(self.salesperson.id),
                    "999",
                ]
            ],
        )
        self.assertFalse(reply["result"]["ids"])
        self.assertTrue(reply["result"]["messages"])
        self.assertNothingStored(objective)

    def test_rpc_configured_by_is_refused(self):
        metric = self.env["okr.metric"].create(
            self.order_metric_values(code="test_access_rpc")
        )
        self.assertFalse(metric.configured_by_id)
        # The OKR user may not write metrics at all.
        self.assertRefused(
            self.call(
                "okr.metric",
                "write",
                [metric.id],
                {"configured_by_id": self.salesperson.id},
            ),
            (AccessError, UserError),
        )
        metric.invalidate_recordset()
        self.assertFalse(metric.configured_by_id)
        # An OKR manager may, but not who configured it.
        self.authenticate(self.okr_manager_sales.login, self.okr_manager_sales.login)
        for vals in (
            {"configured_by_id": self.admin.id},
            {"configured_by_id": False, "domain": "[('state', '=', 'sale')]"},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    self.call(
                        "okr.metric",
                        "write",
                        [metric.id],
                        vals,
                        context=self.HOSTILE_CONTEXT,
                    ),
                    UserError,
                    "set by the addon only",
                )
                metric.invalidate_recordset()
                self.assertFalse(metric.configured_by_id)
                self.assertEqual(metric.domain, "[]")
        # Created with someone else's name: the addon's own choice wins.
        reply = self.call(
            "okr.metric",
            "create",
            [
                self.order_metric_values(
                    code="test_access_rpc_2", configured_by_id=self.admin.id
                )
            ],
        )
        [created_id] = reply["result"]
        created = self.env["okr.metric"].browse(created_id)
        self.assertEqual(created.configured_by_id, self.okr_manager_sales)

    def test_rpc_refresh_of_someone_elses_key_result_is_refused(self):
        team_kr = self.key_result_as(self.sales_manager, team_id=self.team_north.id)
        company_kr = self.key_result("revenue")
        self.compute(team_kr | company_kr)
        before = {
            kr: (self.snapshot(kr), kr.checkin_ids) for kr in team_kr | company_kr
        }
        # Readable by everybody...
        reply = self.call(
            "okr.key.result", "read", (team_kr | company_kr).ids, ["current_value"]
        )
        self.assertEqual(
            [row["current_value"] for row in reply["result"]], [500.0, 700.0]
        )
        # ... refreshed by those who may edit them only.
        for ids in (team_kr.ids, company_kr.ids, (self.own_kr | team_kr).ids):
            with self.subTest(ids=ids):
                self.assertRefused(
                    self.call("okr.key.result", "action_refresh", ids),
                    AccessError,
                )
        for key_result, (snapshot, checkins) in before.items():
            self.assertUnchanged(key_result, snapshot)
            self.assertEqual(key_result.checkin_ids, checkins)
        # Their own: refreshed.
        computed_at = self.own_kr.last_computed_at
        reply = self.call("okr.key.result", "action_refresh", self.own_kr.ids)
        self.assertEqual(
            reply["result"]["params"]["message"], "1 key result(s) recomputed."
        )
        self.assertNotEqual(self.own_kr.last_computed_at, computed_at)
        self.assertFalse(self.own_kr.compute_error)
