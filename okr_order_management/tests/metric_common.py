"""Shared data and helpers for the tests of metric key results.

Every test builds its orders and deliveries through the ORM at frozen moments
(``at``), in a company of its own, so demo data never shows in a value.

Time: ``freeze_time`` moves ``datetime.now()`` (and thus
``fields.Datetime.now()``: confirmation and validation dates), but the ORM
stamps ``create_date`` with ``cr.now()``, the transaction's timestamp, which a
real test cursor reads from PostgreSQL once and caches in ``cr._now``
(``odoo/models.py`` ``_create``, ``odoo/sql_db.py`` ``Cursor.now``). ``at``
therefore also sets ``cr._now`` for its duration, so that a quotation's
creation and a valuation layer's date follow the frozen clock.
"""

from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytz

from odoo import Command
from odoo.tests import Form, TransactionCase, freeze_time, new_test_user

from .common import create_return

SHANGHAI = pytz.timezone("Asia/Shanghai")

#: Q4 2026 in a Shanghai company: from 2026-09-30 16:00 UTC to 2026-12-31 16:00 UTC.
Q4_START = date(2026, 10, 1)
Q4_END = date(2026, 12, 31)


def local(*args):
    """A Shanghai wall-clock time, as the naive UTC datetime Odoo stores."""
    return SHANGHAI.localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)


#: When the whole-cycle key results are computed: after the cycle.
AFTER_Q4 = local(2027, 1, 5, 9, 0)


class MetricCase(TransactionCase):
    """A Shanghai company with sales teams, salespeople, two warehouses, stock
    and a Q4 2026 cycle; helpers to sell, deliver, return and compute."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.currency = env.ref("base.CNY")
        cls.foreign_currency = env.ref("base.USD")
        (cls.currency | cls.foreign_currency).active = True
        cls.company = env["res.company"].create(
            {"name": "OKR Shanghai Trading", "currency_id": cls.currency.id}
        )
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.other_company = env["res.company"].create(
            {"name": "OKR Other Trading", "currency_id": cls.currency.id}
        )
        cls.env = env = env(
            context=dict(
                env.context,
                allowed_company_ids=[cls.company.id],
                tracking_disable=True,
                mail_notrack=True,
            )
        )
        # Company rates, so that no global (demo) rate leaks in: 1 USD = 8 CNY.
        for currency, rate in ((cls.currency, 1.0), (cls.foreign_currency, 0.125)):
            env["res.currency.rate"].create(
                {
                    "name": date(2026, 1, 1),
                    "rate": rate,
                    "currency_id": currency.id,
                    "company_id": cls.company.id,
                }
            )
        cls.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.warehouse_2 = env["stock.warehouse"].create(
            {"name": "OKR Pudong", "code": "OKRPD", "company_id": cls.company.id}
        )
        cls.other_warehouse = env["stock.warehouse"].search(
            [("company_id", "=", cls.other_company.id)], limit=1
        )
        cls.product = env["product.product"].create(
            {
                "name": "OKR Widget",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        for warehouse in cls.warehouse | cls.warehouse_2 | cls.other_warehouse:
            env["stock.quant"]._update_available_quantity(
                cls.product, warehouse.lot_stock_id, 1000.0
            )
        Partner = env["res.partner"]
        cls.customer_a = Partner.create({"name": "Acme", "is_company": True})
        cls.customer_a_contact = Partner.create(
            {"name": "Acme, Li Wei", "parent_id": cls.customer_a.id}
        )
        cls.customer_b = Partner.create({"name": "Bolt", "is_company": True})
        cls.customer_c = Partner.create({"name": "Crane", "is_company": True})
        cls.customer_d = Partner.create({"name": "Dune", "is_company": True})
        salesman = "sales_team.group_sale_salesman"
        cls.salesperson_1 = cls.company_user("okr_metric_sp1", salesman)
        cls.salesperson_2 = cls.company_user("okr_metric_sp2", salesman)
        Team = env["crm.team"]
        cls.team_north = Team.create({"name": "North", "company_id": cls.company.id})
        cls.team_south = Team.create({"name": "South", "company_id": cls.company.id})
        cls.other_team = Team.create(
            {"name": "Other North", "company_id": cls.other_company.id}
        )
        cls.complaint_tag = env.ref("okr_order_management.crm_tag_complaint")
        cls.cycle = env["okr.cycle"].create(
            {
                "name": "2026 Q4 Shanghai",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.company.id,
                "state": "active",
            }
        )
        cls.objective = env["okr.objective"].create(
            {
                "name": "Customers wait less for their orders",
                "cycle_id": cls.cycle.id,
                "company_id": cls.company.id,
                "user_id": env.ref("base.user_admin").id,
            }
        )

    @contextmanager
    def assertRaisesMessage(self, exception, regex):
        """``assertRaisesRegex`` within a savepoint, as Odoo's ``assertRaises``:
        the refused record is rolled back."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    # Users and objectives

    @classmethod
    def company_user(cls, login, groups):
        """A user of the Shanghai company only, with ``groups``."""
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def own_objective(self, user):
        """An objective of the Q4 cycle owned by ``user``."""
        return self.env["okr.objective"].create(
            {
                "name": "North sells more",
                "cycle_id": self.cycle.id,
                "company_id": self.company.id,
                "user_id": user.id,
            }
        )

    # Time

    @contextmanager
    def at(self, moment):
        """Run the block at ``moment`` (naive UTC), ``create_date`` included."""
        cr = self.env.cr
        previous = cr._now
        with freeze_time(moment):
            cr._now = moment
            try:
                yield
            finally:
                cr._now = previous

    # Orders and deliveries

    def sell(
        self,
        partner,
        confirmed,
        created=None,
        qty=1.0,
        price=100.0,
        company=None,
        product=None,
        **vals,
    ):
        """Create a quotation at ``created`` (default: 2 h before) and confirm it
        at ``confirmed`` (None: leave it a quotation)."""
        company = company or self.company
        SaleOrder = self.env["sale.order"].with_company(company)
        created = created or (confirmed - timedelta(hours=2))
        with self.at(created):
            order = SaleOrder.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": (product or self.product).id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                    **vals,
                }
            )
        if confirmed:
            with self.at(confirmed):
                order.action_confirm()
        return order

    def cancel(self, order, when):
        with self.at(when):
            order.with_context(disable_cancel_warning=True).action_cancel()

    def deliver(self, order_or_picking, when, qty=None, backorder=True):
        """Validate the open delivery of an order (or a picking) at ``when``: all
        of it, or ``qty`` with the rest to a backorder (``backorder=False``:
        the rest cancelled). Return the validated picking."""
        picking = order_or_picking
        if picking._name == "sale.order":
            picking = order_or_picking.picking_ids.filtered(
                lambda p: (
                    p.state not in ("done", "cancel")
                    and p.picking_type_code == "outgoing"
                )
            )
        picking.ensure_one()
        with self.at(when):
            if qty is not None:
                picking.move_ids.quantity = qty
                picking.move_ids.picked = True
            action = picking.button_validate()
            if isinstance(action, dict):  # the backorder wizard
                wizard = Form(
                    self.env[action["res_model"]].with_context(**action["context"])
                ).save()
                if backorder:
                    wizard.process()
                else:
                    wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking

    def receive(self, product, qty, when, warehouse=None, price_unit=0.0):
        """Receive ``qty`` of ``product`` from a vendor at ``when``."""
        warehouse = warehouse or self.warehouse
        Picking = self.env["stock.picking"].with_company(warehouse.company_id)
        with self.at(when):
            receipt = Picking.create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "location_id": self.env.ref("stock.stock_location_suppliers").id,
                    "location_dest_id": warehouse.lot_stock_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "product_uom": product.uom_id.id,
                                "price_unit": price_unit,
                                "location_id": self.env.ref(
                                    "stock.stock_location_suppliers"
                                ).id,
                                "location_dest_id": warehouse.lot_stock_id.id,
                            }
                        )
                    ],
                }
            )
            receipt.action_confirm()
            receipt.move_ids.quantity = qty
            receipt.move_ids.picked = True
            receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        return receipt

    def return_goods(self, picking, when, qty):
        """Return ``qty`` of a done delivery through the return wizard, and
        validate the return at ``when``. Return the return picking."""
        with self.at(when):
            returned = create_return(picking, qty)
            returned.move_ids.quantity = qty
            returned.move_ids.picked = True
            returned.button_validate()
        self.assertEqual(returned.state, "done")
        return returned

    # Key results

    @classmethod
    def metric(cls, code):
        return cls.env["okr.metric"].search([("code", "=", code)])

    def key_result(self, metric, window="cycle", **vals):
        """A metric key result in the Shanghai company's Q4 cycle."""
        if isinstance(metric, str):
            metric = self.metric(metric)
        return self.env["okr.key.result"].create(
            {
                "name": vals.pop("name", f"{metric.name} ({window})"),
                "objective_id": vals.pop("objective_id", self.objective.id),
                "source": "metric",
                "metric_id": metric.id,
                "window": window,
                "start_value": 0.0,
                "target_value": 100.0,
                **vals,
            }
        )

    def compute(self, key_results, when=AFTER_Q4):
        """Recompute ``key_results`` at ``when``; return the first one's value
        (None when the recompute found no data)."""
        with self.at(when):
            key_results._okr_recompute()
        key_results.invalidate_recordset()
        first = key_results[:1]
        self.assertFalse(first.compute_error, "the key result failed to compute")
        if first.no_data_since:
            return None
        return first.current_value

    def value(self, metric, window="cycle", when=AFTER_Q4, **vals):
        """Compute a new key result of ``metric`` at ``when``: its value."""
        return self.compute(self.key_result(metric, window, **vals), when)

    def records(self, key_result, numerator=False):
        """The records the drill-down opens for ``key_result``."""
        model, domain = key_result._okr_records_domain(numerator=numerator)
        return self.env[model].search(domain)
