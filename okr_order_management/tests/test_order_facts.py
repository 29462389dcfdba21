import contextlib
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import Form, TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools import SQL

from ..hooks import FACT_COLUMNS, fill_order_facts
from .common import create_return

#: A Monday morning (UTC): the quotations of the tests are created then.
T0 = datetime(2026, 3, 2, 8, 0, 0)


def hours(n):
    return timedelta(hours=n)


def shanghai(*args):
    """A wall-clock time in Shanghai (UTC+8, no daylight saving), as naive UTC."""
    return datetime(*args) - hours(8)


class OrderFactsCase(TransactionCase):
    """A stocked product, customers and a sales and stock user, to run real flows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "OKR Widget",
                "is_storable": True,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "sale_delay": 5,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 1000
        )
        cls.acme = cls.env["res.partner"].create(
            {"name": "Acme Trading", "is_company": True}
        )
        cls.alice, cls.bob = cls.env["res.partner"].create(
            [
                {"name": "Alice Buyer", "parent_id": cls.acme.id},
                {"name": "Bob Buyer", "parent_id": cls.acme.id},
            ]
        )
        cls.zed = cls.env["res.partner"].create({"name": "Zed Retail"})
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.seller = new_test_user(
            cls.env,
            login="okr_facts_seller",
            groups="sales_team.group_sale_salesman,stock.group_stock_user",
        )

    def _create_order(self, partner, at=T0, qty=10, user=None, **vals):
        """A quotation created at ``at`` (creation time included)."""
        env = self.env(user=user) if user else self.env
        with freeze_time(at), patch.object(self.env.cr, "now", lambda: at):
            return env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": qty}
                        )
                    ],
                    **vals,
                }
            )

    def _confirm(self, orders, at):
        with freeze_time(at):
            orders.action_confirm()

    def _cancel(self, orders, at):
        with freeze_time(at):
            orders.with_context(disable_cancel_warning=True).action_cancel()

    def _validate(self, picking, at, qty=None, backorder=True):
        """Validate ``picking`` at ``at``, ``qty`` of each move (all when None)."""
        with freeze_time(at):
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty if qty is None else qty
                move.picked = True
            action = picking.button_validate()
            if isinstance(action, dict):
                wizard = Form(
                    picking.env[action["res_model"]].with_context(**action["context"])
                ).save()
                if backorder:
                    wizard.process()
                else:
                    wizard.process_cancel_backorder()
        return picking.backorder_ids

    def _create_picking(self, scheduled_date):
        """A confirmed delivery of one unit to Zed, made by hand (no order)."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.zed.id,
                "scheduled_date": scheduled_date,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.product.name,
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _return(self, picking, qty, at):
        """Return ``qty`` of the first move of ``picking``, validated at ``at``."""
        return_picking = create_return(picking, qty)
        self._validate(return_picking, at)
        return return_picking


@tagged("post_install", "-at_install")
class TestOrderFacts(OrderFactsCase):
    """Each order and delivery fact on real flows, as a sales and stock user."""

    def test_confirmation_time(self):
        order = self._create_order(self.zed, user=self.seller)
        self.assertFalse(order.okr_confirmed_at)
        self.assertEqual(order.okr_confirmation_hours, 0.0)
        self._confirm(order, T0 + hours(36.5))
        self.assertRecordValues(
            order,
            [
                {
                    "okr_confirmed_at": T0 + hours(36.5),
                    "okr_confirmation_hours": 36.5,
                    "okr_cancelled_after_confirmation": False,
                    "okr_is_error": False,
                    "okr_delivered_at": False,
                }
            ],
        )

    def test_partial_delivery_with_backorder(self):
        order = self._create_order(self.zed, user=self.seller)
        self._confirm(order, T0 + hours(2))
        first = order.picking_ids
        self.assertTrue(first.okr_is_delivery)
        self.assertFalse(first.okr_is_return)
        backorder = self._validate(first, T0 + hours(26), qty=4)
        self.assertTrue(backorder)
        self.assertTrue(first.okr_has_backorder)
        self.assertFalse(order.okr_delivered_at, "a backorder is still open")
        self.assertEqual(order.okr_fulfilment_hours, 0.0)
        self._validate(backorder, T0 + hours(50))
        self.assertFalse(backorder.okr_has_backorder)
        self.assertEqual(order.okr_delivered_at, T0 + hours(50))
        self.assertEqual(order.okr_fulfilment_hours, 48.0)

    def test_cancelled_backorder_completes_delivery(self):
        order = self._create_order(self.zed)
        self._confirm(order, T0 + hours(1))
        self._validate(order.picking_ids, T0 + hours(5), qty=4, backorder=False)
        self.assertFalse(order.picking_ids.okr_has_backorder)
        self.assertEqual(order.okr_delivered_at, T0 + hours(5))
        self.assertEqual(order.okr_fulfilment_hours, 4.0)

    def test_on_time_by_promised_day_in_company_timezone(self):
        """On time up to the end of the promised day, in the company's timezone
        (not up to the instant of the deadline, nor the end of the UTC day)."""
        self.company.partner_id.tz = "Asia/Shanghai"
        promised = shanghai(2026, 3, 10, 10, 0)
        on_time = self._create_order(self.zed, commitment_date=promised)
        late = self._create_order(self.zed, commitment_date=promised)
        self._confirm(on_time | late, T0)
        self.assertEqual(on_time.picking_ids.okr_deadline, promised)
        self._validate(on_time.picking_ids, shanghai(2026, 3, 10, 23, 0))
        self._validate(late.picking_ids, shanghai(2026, 3, 11, 0, 30))
        self.assertTrue(on_time.picking_ids.okr_on_time, "late in the promised day")
        self.assertFalse(late.picking_ids.okr_on_time, "the next day in Shanghai")
        # Without a timezone, days are UTC ones: 00:30 in Shanghai is the 10th.
        self.company.partner_id.tz = False
        self.assertTrue(late.picking_ids.okr_on_time)

    def test_promised_day_precedence(self):
        """The order's commitment date, else the transfer's deadline, else its
        scheduled date."""
        self.company.partner_id.tz = "Asia/Shanghai"
        committed_day = shanghai(2026, 3, 10, 12, 0)
        deadline_day = shanghai(2026, 3, 11, 12, 0)
        scheduled_day = shanghai(2026, 3, 12, 12, 0)
        committed = self._create_order(self.zed, commitment_date=committed_day)
        self._confirm(committed, T0)
        picking = committed.picking_ids
        picking.move_ids.date_deadline = deadline_day
        picking.scheduled_date = scheduled_day
        self.assertEqual(picking.date_deadline, deadline_day)
        self.assertEqual(picking.okr_deadline, committed_day)
        self._validate(picking, shanghai(2026, 3, 11, 9, 0))
        self.assertFalse(picking.okr_on_time, "the commitment date comes first")

        by_hand = self._create_picking(scheduled_day)
        by_hand.move_ids.date_deadline = deadline_day
        self.assertEqual(by_hand.okr_deadline, deadline_day)
        self._validate(by_hand, shanghai(2026, 3, 12, 9, 0))
        self.assertFalse(by_hand.okr_on_time, "the deadline comes before the plan")

        scheduled_only = self._create_picking(scheduled_day)
        self.assertFalse(scheduled_only.date_deadline)
        self.assertEqual(scheduled_only.okr_deadline, scheduled_day)
        self._validate(scheduled_only, shanghai(2026, 3, 12, 23, 59))
        self.assertTrue(scheduled_only.okr_on_time)

    def test_deadline_falls_back_to_scheduled_date(self):
        # Sales orders give their moves a deadline: a delivery made by hand has none.
        picking = self._create_picking(T0 + hours(24))
        self.assertTrue(picking.okr_is_delivery)
        self.assertFalse(picking.date_deadline)
        self.assertEqual(picking.okr_deadline, picking.scheduled_date)
        self.assertFalse(picking.okr_on_time, "not done yet")
        self._validate(picking, picking.scheduled_date - hours(1))
        self.assertTrue(picking.okr_on_time)

    def test_return_of_a_delivery(self):
        order = self._create_order(self.zed, user=self.seller)
        self._confirm(order, T0 + hours(1))
        delivery = order.picking_ids
        self._validate(delivery, T0 + hours(3))
        return_picking = self._return(delivery, 2, T0 + hours(30))
        self.assertRecordValues(
            return_picking,
            [{"okr_is_return": True, "okr_is_delivery": False, "sale_id": order.id}],
        )
        self.assertRecordValues(
            order,
            [
                {
                    "okr_has_return": True,
                    "okr_is_error": True,
                    "okr_cancelled_after_confirmation": False,
                    # The return does not move the delivery.
                    "okr_delivered_at": T0 + hours(3),
                }
            ],
        )

    def test_return_counts_once_validated(self):
        order = self._create_order(self.zed)
        self._confirm(order, T0)
        self._validate(order.picking_ids, T0 + hours(1))
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=order.picking_ids.ids,
                active_id=order.picking_ids.id,
                active_model="stock.picking",
            )
        ).save()
        wizard.product_return_moves.quantity = 1
        wizard.action_create_returns()
        self.assertFalse(order.okr_has_return)
        self.assertFalse(order.okr_is_error)

    def test_cancel_after_confirmation(self):
        order = self._create_order(self.zed, user=self.seller)
        self._confirm(order, T0 + hours(1))
        self._cancel(order, T0 + hours(2))
        self.assertRecordValues(
            order,
            [
                {
                    "state": "cancel",
                    "okr_confirmed_at": T0 + hours(1),
                    "okr_cancelled_after_confirmation": True,
                    "okr_is_error": True,
                }
            ],
        )
        order.action_draft()
        self._confirm(order, T0 + hours(10))
        self.assertRecordValues(
            order,
            [
                {
                    "okr_confirmed_at": T0 + hours(10),
                    "okr_confirmation_hours": 10.0,
                    "okr_cancelled_after_confirmation": False,
                    "okr_is_error": False,
                }
            ],
        )

    def test_cancel_quotation_is_no_error(self):
        order = self._create_order(self.zed)
        self._cancel(order, T0 + hours(1))
        self.assertFalse(order.okr_cancelled_after_confirmation)
        self.assertFalse(order.okr_is_error)

    def test_first_order_of_a_customer_entity(self):
        by_alice = self._create_order(self.alice)
        by_bob = self._create_order(self.bob)
        by_zed = self._create_order(self.zed)
        quotation = self._create_order(self.alice)
        self.assertEqual(by_bob.okr_commercial_partner_id, self.acme)
        self._confirm(by_bob, T0 + hours(5))
        self.assertTrue(by_bob.okr_is_first_order)
        # Confirmed later, in one batch: Alice's order is Acme's second.
        self._confirm(by_alice | by_zed, T0 + hours(6))
        self.assertRecordValues(
            by_alice | by_bob | by_zed | quotation,
            [
                {"okr_is_first_order": False},
                {"okr_is_first_order": True},
                {"okr_is_first_order": True},
                {"okr_is_first_order": False},
            ],
        )
        self._cancel(by_bob, T0 + hours(7))
        self.assertFalse(by_bob.okr_is_first_order)
        self.assertTrue(by_alice.okr_is_first_order, "first goes to the next order")
        by_bob.action_draft()
        self._confirm(by_bob, T0 + hours(8))
        self.assertTrue(by_alice.okr_is_first_order, "confirmed earlier")
        self.assertFalse(by_bob.okr_is_first_order)

    def test_first_order_per_company(self):
        other_company = self.env["res.company"].create({"name": "OKR Other Company"})
        here = self._create_order(self.alice)
        self._confirm(here, T0 + hours(1))
        env = self.env(
            context=dict(self.env.context, allowed_company_ids=[other_company.id])
        )
        there = env["sale.order"].create(
            {
                "partner_id": self.bob.id,
                "company_id": other_company.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        self._confirm(there, T0 + hours(2))
        self.assertTrue(here.okr_is_first_order)
        self.assertTrue(there.okr_is_first_order, "a new customer of that company")

    def test_customer_change_moves_first_order(self):
        first = self._create_order(self.alice)
        second = self._create_order(self.bob)
        self._confirm(first, T0 + hours(1))
        self._confirm(second, T0 + hours(2))
        first.partner_id = self.zed
        self.assertTrue(first.okr_is_first_order, "Zed's first order now")
        self.assertTrue(second.okr_is_first_order, "Acme's first order now")

    def test_contact_moving_to_another_company_moves_first_orders(self):
        by_alice = self._create_order(self.alice)
        by_bob = self._create_order(self.bob)
        by_zed = self._create_order(self.zed)
        self._confirm(by_alice, T0 + hours(1))
        self._confirm(by_bob | by_zed, T0 + hours(2))
        self.assertEqual(
            (by_alice | by_bob | by_zed).mapped("okr_is_first_order"),
            [True, False, True],
        )
        self.alice.parent_id = self.zed
        self.assertEqual(by_alice.okr_commercial_partner_id, self.zed)
        self.assertRecordValues(
            by_alice | by_bob | by_zed,
            [
                {"okr_is_first_order": True},  # Zed's first, now
                {"okr_is_first_order": True},  # Acme's first, now
                {"okr_is_first_order": False},
            ],
        )
        self.bob.write({"parent_id": False, "is_company": True})
        self.assertEqual(by_bob.okr_commercial_partner_id, self.bob)
        self.assertTrue(by_bob.okr_is_first_order, "Bob's own first order")

    def test_first_order_flags_written_by_the_change(self):
        """The flags are in the database as soon as the confirmation or the
        cancellation returns, and a rolled-back savepoint takes them back with
        the change."""

        def flag_in_database(order):
            self.env.cr.execute(
                "SELECT okr_is_first_order FROM sale_order WHERE id = %s", [order.id]
            )
            return self.env.cr.fetchone()[0]

        first, second = self._create_order(self.alice), self._create_order(self.bob)
        self._confirm(first, T0 + hours(1))
        self.assertTrue(flag_in_database(first))
        self._confirm(second, T0 + hours(2))
        with contextlib.suppress(RuntimeError), self.env.cr.savepoint():
            self._cancel(first, T0 + hours(3))
            self.assertTrue(flag_in_database(second), "Acme's first order now")
            raise RuntimeError("rolled back")
        self.assertEqual(first.state, "sale")
        self.assertTrue(flag_in_database(first))
        self.assertFalse(flag_in_database(second))
        self.assertTrue(first.okr_is_first_order)

    def test_amount_in_company_currency(self):
        foreign = self.env["res.currency"].create(
            {"name": "OKX", "symbol": "X", "rounding": 0.01}
        )
        self.env["res.currency.rate"].create(
            [
                {
                    "name": "2026-01-01",
                    "rate": rate,
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                }
                for currency, rate in ((foreign, 4.0), (self.company.currency_id, 1.0))
            ]
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "OKX prices", "currency_id": foreign.id}
        )
        order = self._create_order(
            self.zed,
            qty=3,
            pricelist_id=pricelist.id,
            date_order=T0,
            order_line=[
                Command.create(
                    {
                        "product_id": self.product.id,
                        "product_uom_qty": 3,
                        "price_unit": 333.33,
                    }
                )
            ],
        )
        self.assertEqual(order.currency_id, foreign)
        self.assertEqual(order.currency_rate, 4.0)
        self.assertEqual(order.amount_untaxed, 999.99)
        # 999.99 OKX / 4, rounded to the company currency.
        self.assertEqual(order.okr_amount_company, 250.0)
        self.assertEqual(order.okr_company_currency_id, self.company.currency_id)
        same_currency = self._create_order(self.zed, qty=2)
        self.assertEqual(same_currency.okr_amount_company, 200.0)

    def test_complaint_tag(self):
        complaint = self.env.ref("okr_order_management.crm_tag_complaint")
        other_tag = self.env["crm.tag"].create({"name": "OKR VIP"})
        order = self._create_order(self.zed, tag_ids=[Command.set(other_tag.ids)])
        self.assertFalse(order.okr_has_complaint)
        order.tag_ids = [Command.link(complaint.id)]
        self.assertTrue(order.okr_has_complaint)
        order.tag_ids = [Command.unlink(complaint.id)]
        self.assertFalse(order.okr_has_complaint)

    def test_promised_date(self):
        committed = self._create_order(self.zed, commitment_date=T0 + hours(100))
        expected = self._create_order(self.zed)
        self._confirm(committed | expected, T0 + hours(1))
        self.assertEqual(committed.okr_promised_date, T0 + hours(100))
        # The product's 5 days of customer lead time, from the confirmation.
        self.assertEqual(expected.okr_promised_date, T0 + hours(1) + timedelta(days=5))
        expected.commitment_date = T0 + hours(200)
        self.assertEqual(expected.okr_promised_date, T0 + hours(200))

    def test_delivery_scopes(self):
        team = self.env["crm.team"].create({"name": "OKR Team"})
        order = self._create_order(self.zed, team_id=team.id, user_id=self.seller.id)
        self._confirm(order, T0)
        self.assertRecordValues(
            order.picking_ids,
            [
                {
                    "okr_team_id": team.id,
                    "okr_salesperson_id": self.seller.id,
                    "okr_warehouse_id": self.warehouse.id,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestOrderFactsFreshness(OrderFactsCase):
    """Each change that key results may see goes through one entry point
    (``_okr_changed`` of the orders or of the transfers), which asks for one
    recompute of its source models in its companies."""

    ORDER_MODELS = ["sale.order"]
    PICKING_MODELS = ["stock.picking", "sale.order", "stock.valuation.layer"]

    @contextlib.contextmanager
    def _recording(self):
        """Record the entry points' calls (records) and the requests
        (model names, company ids), both still run."""
        calls = []
        requests = []

        def spy(model_name):
            model_class = type(self.env[model_name])
            original = model_class._okr_changed

            def record(records, *args, **kwargs):
                calls.append(records)
                return original(records, *args, **kwargs)

            return patch.object(
                model_class, "_okr_changed", autospec=True, side_effect=record
            )

        def request(_self, model_names=None, company_ids=None, since=None):
            requests.append((model_names, company_ids))

        with (
            spy("sale.order"),
            spy("stock.picking"),
            patch.object(
                type(self.env["okr.key.result"]),
                "_okr_request_recompute",
                autospec=True,
                side_effect=request,
            ),
        ):
            yield calls, requests
            calls.clear()
            requests.clear()

    def _assert_one_change(self, calls, requests, records, model_names, companies):
        self.assertEqual(len(calls), 1, "the entry point runs once")
        self.assertEqual(calls[0]._name, records._name)
        self.assertEqual(calls[0], records)
        self.assertEqual(requests, [(model_names, sorted(companies.ids))])
        calls.clear()
        requests.clear()

    def test_confirmation_and_cancellation(self):
        orders = self._create_order(self.zed) | self._create_order(self.alice)
        with self._recording() as (calls, requests):
            self._confirm(orders, T0 + hours(1))
            self._assert_one_change(
                calls, requests, orders, self.ORDER_MODELS, self.company
            )
            self._cancel(orders[0], T0 + hours(2))
            self._assert_one_change(
                calls, requests, orders[0], self.ORDER_MODELS, self.company
            )

    def test_cancelling_a_quotation_requests_nothing(self):
        quotation = self._create_order(self.zed)
        with self._recording() as (calls, requests):
            self._cancel(quotation, T0 + hours(1))
            self.assertFalse(calls)
            self.assertFalse(requests)

    def test_customer_change_on_a_confirmed_order_requests_a_recompute(self):
        order = self._create_order(self.alice)
        quotation = self._create_order(self.alice)
        self._confirm(order, T0 + hours(1))
        with self._recording() as (calls, requests):
            quotation.partner_id = self.zed
            self.assertFalse(requests, "a quotation counts nowhere")
            order.partner_id = self.zed
            self._assert_one_change(
                calls, requests, order, self.ORDER_MODELS, self.company
            )
        self.assertTrue(order.okr_is_first_order, "Zed's first order")

    def test_tag_change_on_a_confirmed_order(self):
        complaint = self.env.ref("okr_order_management.crm_tag_complaint")
        order = self._create_order(self.zed)
        quotation = self._create_order(self.zed)
        self._confirm(order, T0 + hours(1))
        with self._recording() as (calls, requests):
            quotation.tag_ids = [Command.link(complaint.id)]
            self.assertFalse(requests)
            order.tag_ids = [Command.link(complaint.id)]
            self._assert_one_change(
                calls, requests, order, self.ORDER_MODELS, self.company
            )

    def test_contact_moving_to_another_company(self):
        other_company = self.env["res.company"].create({"name": "OKR Other Company"})
        here = self._create_order(self.alice)
        self._create_order(self.alice)  # a quotation: it moves, but counts nowhere
        self._confirm(here, T0 + hours(1))
        there = (
            self._create_order(self.alice, company_id=other_company.id)
            .with_company(other_company)
            .with_context(allowed_company_ids=other_company.ids)
        )
        self._confirm(there, T0 + hours(2))
        with self._recording() as (calls, requests):
            self.alice.parent_id = self.acme  # no move
            self.alice.name = "Alice Buyer-Smith"
            self.assertFalse(requests)
            self.alice.parent_id = self.zed
            self._assert_one_change(
                calls,
                requests,
                here | there,
                self.ORDER_MODELS,
                self.company | other_company,
            )

    def test_delivery_and_return_validated(self):
        order = self._create_order(self.zed)
        self._confirm(order, T0 + hours(1))
        delivery = order.picking_ids
        with self._recording() as (calls, requests):
            self._validate(delivery, T0 + hours(2))
            self._assert_one_change(
                calls, requests, delivery, self.PICKING_MODELS, self.company
            )
            return_picking = create_return(delivery, 1)
            self.assertFalse(requests, "created, not validated")
            self._validate(return_picking, T0 + hours(3))
            self._assert_one_change(
                calls, requests, return_picking, self.PICKING_MODELS, self.company
            )


@tagged("post_install", "-at_install")
class TestOrderFactsBackfill(OrderFactsCase):
    """The install hook's SQL gives every fact the value the ORM computes."""

    def test_fill_matches_orm(self):
        complaint = self.env.ref("okr_order_management.crm_tag_complaint")
        delivered = self._create_order(self.alice, commitment_date=T0 + hours(30))
        partial = self._create_order(self.bob)
        returned = self._create_order(self.zed, tag_ids=[Command.link(complaint.id)])
        cancelled = self._create_order(self.zed)
        reconfirmed = self._create_order(self.alice)
        quotation = self._create_order(self.bob, commitment_date=T0 + hours(90))
        self._confirm(delivered | partial | returned | cancelled, T0 + hours(3))
        self._confirm(reconfirmed, T0 + hours(4))
        self._validate(delivered.picking_ids, T0 + hours(40))
        self._validate(partial.picking_ids, T0 + hours(20), qty=3)
        self._validate(returned.picking_ids, T0 + hours(6))
        self._return(returned.picking_ids, 1, T0 + hours(60))
        self._cancel(cancelled | reconfirmed, T0 + hours(8))
        reconfirmed.action_draft()
        self._confirm(reconfirmed, T0 + hours(9))
        orders = delivered | partial | returned | cancelled | reconfirmed | quotation
        pickings = orders.picking_ids
        # Delivered, partial + backorder, delivery + return, cancelled,
        # cancelled + delivery of the confirmation again.
        self.assertEqual(len(pickings), 8)

        self.env.flush_all()
        expected = self._read_facts(orders, pickings)
        self._blank_facts()
        fill_order_facts(self.env.cr)
        self.env.invalidate_all()
        self.assertEqual(self._read_facts(orders, pickings), expected)
        # Sanity: the flows did produce the facts compared.
        self.assertTrue(returned.okr_has_return)
        self.assertTrue(any(partial.picking_ids.mapped("okr_has_backorder")))
        self.assertTrue(cancelled.okr_cancelled_after_confirmation)
        self.assertTrue(delivered.okr_is_first_order)
        self.assertTrue(returned.okr_has_complaint)
        self.assertTrue(delivered.okr_delivered_at)

    def test_fill_matches_orm_on_time(self):
        """The install's SQL and the compute agree on the promised day: at the
        edges of the day in the company's timezone, for each source of the
        deadline, with and without a timezone."""
        self.company.partner_id.tz = "Asia/Shanghai"
        promised = shanghai(2026, 3, 10, 10, 0)
        validations = [
            shanghai(2026, 3, 10, 0, 0),
            shanghai(2026, 3, 10, 23, 0),
            shanghai(2026, 3, 10, 23, 59, 59),
            shanghai(2026, 3, 11, 0, 0),
            shanghai(2026, 3, 11, 0, 30),
        ]
        committed = [
            self._create_order(self.zed, commitment_date=promised)
            for _validation in validations
        ]
        by_lead_time = self._create_order(self.zed)
        orders = self.env["sale.order"].union(*committed, by_lead_time)
        self._confirm(orders, shanghai(2026, 3, 5, 9, 0))
        # The commitment date comes before a deadline moved on the transfer.
        committed[0].picking_ids.move_ids.date_deadline = promised + hours(48)
        for order, validated_at in zip(committed, validations, strict=True):
            self._validate(order.picking_ids, validated_at)
        self._validate(by_lead_time.picking_ids, shanghai(2026, 3, 10, 23, 0))
        with_deadline = self._create_picking(promised + hours(48))
        with_deadline.move_ids.date_deadline = promised
        self._validate(with_deadline, shanghai(2026, 3, 11, 0, 30))
        scheduled_only = self._create_picking(promised)
        self._validate(scheduled_only, shanghai(2026, 3, 10, 23, 0))
        not_done = self._create_picking(promised)
        pickings = orders.picking_ids | with_deadline | scheduled_only | not_done
        self.assertEqual(
            [picking.okr_on_time for picking in orders.picking_ids],
            [True, True, True, False, False, True],
        )
        self.assertEqual(
            (with_deadline | scheduled_only | not_done).mapped("okr_on_time"),
            [False, True, False],
        )
        for tz in ("Asia/Shanghai", False, "America/New_York"):
            with self.subTest(tz=tz):
                self.company.partner_id.tz = tz
                self.env.flush_all()
                expected = self._read_facts(orders, pickings)
                self._blank_facts()
                fill_order_facts(self.env.cr)
                self.env.invalidate_all()
                self.assertEqual(self._read_facts(orders, pickings), expected)

    def _read_facts(self, orders, pickings):
        facts = {}
        for table, records in (("sale_order", orders), ("stock_picking", pickings)):
            columns = [column for tbl, column, *_ in FACT_COLUMNS if tbl == table]
            self.env.cr.execute(
                SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s) ORDER BY id",
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    SQL.identifier(table),
                    records.ids,
                )
            )
            facts[table] = [
                {
                    column: round(value, 6) if isinstance(value, float) else value
                    for column, value in zip(["id", *columns], row, strict=True)
                }
                for row in self.env.cr.fetchall()
            ]
        return facts

    def _blank_facts(self):
        for table, column, column_type, _comment in FACT_COLUMNS:
            blank = SQL("false") if column_type == "boolean" else SQL("NULL")
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    blank,
                )
            )
