from datetime import timedelta

from odoo.tests import tagged

from .metric_common import MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricBuiltin(MetricCase):
    """Each built-in metric over orders and deliveries made at known moments,
    against the value worked out by hand.

    The company is in Asia/Shanghai and the cycle is Q4 2026: the window runs
    from 2026-10-01 00:00 to 2027-01-01 00:00 Shanghai time. ``local(...)`` is a
    Shanghai wall-clock time.
    """

    def test_builtin_metrics_are_shipped(self):
        codes = {
            "order_confirmation_hours",
            "order_fulfilment_hours",
            "on_time_delivery_rate",
            "order_error_rate",
            "new_customers",
            "new_customer_growth",
            "revenue",
            "average_order_value",
            "complaint_rate",
            "backorder_rate",
            "inventory_turnover",
            "late_open_orders",
        }
        metrics = self.env["okr.metric"].search([("code", "in", list(codes))])
        self.assertEqual(set(metrics.mapped("code")), codes)
        self.assertEqual(
            metrics.filtered(lambda m: m.aggregate == "coded").mapped("code"),
            ["inventory_turnover"],
        )

    def test_order_confirmation_hours(self):
        # Quotation at 08:00, confirmed at 14:00: 6 h.
        self.sell(
            self.customer_a,
            created=local(2026, 11, 10, 8, 0),
            confirmed=local(2026, 11, 10, 14, 0),
        )
        # Two days: 48 h.
        self.sell(
            self.customer_b,
            created=local(2026, 11, 1, 10, 0),
            confirmed=local(2026, 11, 3, 10, 0),
        )
        # Quotation made before the cycle, confirmed in it: 30 h, counted.
        self.sell(
            self.customer_d,
            created=local(2026, 9, 30, 12, 0),
            confirmed=local(2026, 10, 1, 18, 0),
        )
        # 30 min, then cancelled: left out.
        cancelled = self.sell(
            self.customer_c,
            created=local(2026, 11, 5, 9, 0),
            confirmed=local(2026, 11, 5, 9, 30),
        )
        self.cancel(cancelled, local(2026, 11, 6, 9, 0))
        # Never confirmed, and confirmed before the cycle: left out.
        self.sell(self.customer_c, created=local(2026, 11, 7, 9, 0), confirmed=None)
        self.sell(
            self.customer_c,
            created=local(2026, 9, 20, 9, 0),
            confirmed=local(2026, 9, 30, 23, 0),
        )
        self.assertAlmostEqual(
            self.value("order_confirmation_hours"), (6 + 48 + 30) / 3
        )

    def test_order_fulfilment_hours(self):
        # Delivered in one go two days after its confirmation: 48 h.
        order_1 = self.sell(self.customer_a, local(2026, 11, 10, 10, 0), qty=5)
        self.deliver(order_1, local(2026, 11, 12, 10, 0))
        # Partly delivered, the backorder five days after the confirmation: 120 h.
        order_2 = self.sell(self.customer_b, local(2026, 11, 10, 10, 0), qty=5)
        self.deliver(order_2, local(2026, 11, 11, 10, 0), qty=2)
        self.deliver(order_2, local(2026, 11, 15, 10, 0))
        # Confirmed before the cycle, fully delivered in it: 12 days, 288 h.
        order_3 = self.sell(self.customer_c, local(2026, 9, 20, 10, 0), qty=5)
        self.deliver(order_3, local(2026, 10, 2, 10, 0))
        # Partly delivered, the rest cancelled (no backorder): delivered, 24 h.
        order_4 = self.sell(self.customer_d, local(2026, 11, 25, 10, 0), qty=5)
        self.deliver(order_4, local(2026, 11, 26, 10, 0), qty=2, backorder=False)
        # Left out: a backorder still open, and a delivery after the cycle.
        order_5 = self.sell(self.customer_a, local(2026, 11, 20, 10, 0), qty=5)
        self.deliver(order_5, local(2026, 11, 21, 10, 0), qty=1)
        order_6 = self.sell(self.customer_b, local(2026, 12, 20, 10, 0), qty=5)
        self.deliver(order_6, local(2027, 1, 2, 10, 0))

        self.assertFalse(order_5.okr_delivered_at)
        self.assertEqual(order_2.okr_delivered_at, local(2026, 11, 15, 10, 0))
        self.assertAlmostEqual(
            self.value("order_fulfilment_hours"), (48 + 120 + 288 + 24) / 4
        )

    def test_on_time_delivery_rate(self):
        promised = local(2026, 11, 12, 18, 0)
        early = self.sell(self.customer_a, local(2026, 11, 10, 10, 0))
        early.commitment_date = promised
        on_the_dot = self.sell(self.customer_b, local(2026, 11, 10, 10, 0))
        on_the_dot.commitment_date = promised
        late = self.sell(self.customer_c, local(2026, 11, 10, 10, 0))
        late.commitment_date = promised
        split = self.sell(self.customer_d, local(2026, 11, 10, 10, 0), qty=5)
        split.commitment_date = local(2026, 11, 20, 18, 0)
        before_cycle = self.sell(self.customer_a, local(2026, 9, 25, 10, 0))
        other = self.sell(
            self.customer_a, local(2026, 11, 10, 10, 0), company=self.other_company
        )

        delivered_early = self.deliver(early, local(2026, 11, 12, 17, 0))
        self.deliver(on_the_dot, promised)  # at the deadline: on time
        self.deliver(late, local(2026, 11, 13, 9, 0))
        self.deliver(split, local(2026, 11, 19, 9, 0), qty=2)  # on time
        self.deliver(split, local(2026, 11, 22, 9, 0))  # its backorder: late
        # A return is no delivery; neither is one before the cycle, nor
        # another company's.
        self.return_goods(delivered_early, local(2026, 11, 25, 9, 0), 1)
        self.deliver(before_cycle, local(2026, 9, 30, 23, 0))
        self.deliver(other, local(2026, 11, 13, 9, 0))

        # 5 deliveries in the window; on time: early, on the dot, the first of split.
        self.assertAlmostEqual(self.value("on_time_delivery_rate"), 3 / 5 * 100)

    def test_order_error_rate(self):
        fine = self.sell(self.customer_a, local(2026, 11, 2, 10, 0))
        self.deliver(fine, local(2026, 11, 3, 10, 0))
        self.sell(self.customer_b, local(2026, 11, 4, 10, 0))
        self.sell(self.customer_c, local(2026, 11, 5, 10, 0))
        cancelled = self.sell(self.customer_d, local(2026, 11, 6, 10, 0))
        self.cancel(cancelled, local(2026, 11, 8, 10, 0))
        returned = self.sell(self.customer_a, local(2026, 11, 7, 10, 0), qty=3)
        delivery = self.deliver(returned, local(2026, 11, 8, 10, 0))
        self.return_goods(delivery, local(2026, 11, 20, 10, 0), 1)
        # Left out: a quotation cancelled before any confirmation, and an order
        # confirmed before the cycle and cancelled in it.
        quotation = self.sell(self.customer_b, None, created=local(2026, 11, 9, 9, 0))
        self.cancel(quotation, local(2026, 11, 9, 10, 0))
        old = self.sell(self.customer_b, local(2026, 9, 28, 10, 0))
        self.cancel(old, local(2026, 10, 8, 10, 0))

        self.assertTrue(cancelled.okr_is_error)
        self.assertTrue(returned.okr_is_error)
        self.assertFalse(quotation.okr_is_error)
        # 5 orders confirmed in the window, 2 of them cancelled or returned.
        self.assertAlmostEqual(self.value("order_error_rate"), 2 / 5 * 100)

    def test_new_customers(self):
        # Acme: first order through its contact, a second one as the company.
        self.sell(self.customer_a_contact, local(2026, 11, 5, 10, 0))
        self.sell(self.customer_a, local(2026, 11, 20, 10, 0))
        # Bolt: an old customer, first order before the cycle.
        self.sell(self.customer_b, local(2026, 9, 15, 10, 0))
        self.sell(self.customer_b, local(2026, 11, 10, 10, 0))
        # Crane: its first order cancelled, the next one makes it new.
        cancelled = self.sell(self.customer_c, local(2026, 11, 8, 10, 0))
        self.cancel(cancelled, local(2026, 11, 9, 10, 0))
        self.sell(self.customer_c, local(2026, 11, 12, 10, 0))
        # Dune: only a quotation here, and a first order in another company.
        self.sell(self.customer_d, None, created=local(2026, 11, 12, 10, 0))
        self.sell(
            self.customer_d, local(2026, 11, 12, 10, 0), company=self.other_company
        )
        # Acme and Crane.
        self.assertEqual(self.value("new_customers"), 2.0)

    def test_new_customer_growth(self):
        Partner = self.env["res.partner"]
        customers = Partner.create([{"name": f"Customer {i}"} for i in range(6)])
        # Q3 2026, the previous window of the same length (92 days): 2 new.
        self.sell(customers[0], local(2026, 8, 10, 10, 0))
        self.sell(customers[1], local(2026, 9, 30, 23, 30))
        # Q4: 3 new, and an old customer ordering again.
        self.sell(customers[2], local(2026, 10, 1, 0, 30))
        self.sell(customers[3], local(2026, 11, 10, 10, 0))
        self.sell(customers[4], local(2026, 12, 31, 23, 30))
        self.sell(customers[0], local(2026, 11, 11, 10, 0))
        # Before both windows: never counted.
        self.sell(customers[5], local(2026, 6, 30, 23, 0))
        # (3 - 2) / 2
        self.assertAlmostEqual(self.value("new_customer_growth"), 50.0)

    def test_revenue_and_average_order_value(self):
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), qty=5, price=100.0)
        self.sell(self.customer_b, local(2026, 11, 11, 10, 0), qty=2, price=350.0)
        # A discount counts net: 4 × 50 less 25 %.
        self.sell(
            self.customer_c,
            local(2026, 11, 12, 10, 0),
            order_line=[
                (
                    0,
                    0,
                    {
                        "product_id": self.product.id,
                        "product_uom_qty": 4,
                        "price_unit": 50.0,
                        "discount": 25.0,
                        "tax_id": [(5,)],
                    },
                )
            ],
        )
        # Left out: cancelled, a quotation, before the cycle, another company.
        cancelled = self.sell(self.customer_d, local(2026, 11, 12, 10, 0), price=300)
        self.cancel(cancelled, local(2026, 11, 13, 10, 0))
        self.sell(self.customer_d, None, created=local(2026, 11, 14, 10, 0))
        self.sell(self.customer_d, local(2026, 9, 30, 23, 59), price=1000.0)
        self.sell(
            self.customer_a,
            local(2026, 11, 10, 10, 0),
            price=5000.0,
            company=self.other_company,
        )
        # 500 + 700 + 150
        self.assertAlmostEqual(self.value("revenue"), 1350.0)
        self.assertAlmostEqual(self.value("average_order_value"), 1350.0 / 3)

    def test_complaint_rate(self):
        self.sell(
            self.customer_a,
            local(2026, 11, 2, 10, 0),
            tag_ids=[(6, 0, self.complaint_tag.ids)],
        )
        tagged_later = self.sell(self.customer_b, local(2026, 11, 3, 10, 0))
        for partner in (self.customer_c, self.customer_d, self.customer_a):
            self.sell(partner, local(2026, 11, 4, 10, 0))
        # Left out: a cancelled order with the tag, and one before the cycle.
        cancelled = self.sell(
            self.customer_c,
            local(2026, 11, 5, 10, 0),
            tag_ids=[(6, 0, self.complaint_tag.ids)],
        )
        self.cancel(cancelled, local(2026, 11, 6, 10, 0))
        self.sell(
            self.customer_c,
            local(2026, 9, 5, 10, 0),
            tag_ids=[(6, 0, self.complaint_tag.ids)],
        )
        with self.at(local(2026, 11, 20, 10, 0)):
            tagged_later.tag_ids = self.complaint_tag
        # 2 of the 5 orders confirmed in the window.
        self.assertAlmostEqual(self.value("complaint_rate"), 2 / 5 * 100)

    def test_backorder_rate(self):
        whole = self.sell(self.customer_a, local(2026, 11, 2, 10, 0), qty=5)
        whole_delivery = self.deliver(whole, local(2026, 11, 3, 10, 0))
        split = self.sell(self.customer_b, local(2026, 11, 2, 10, 0), qty=5)
        self.deliver(split, local(2026, 11, 3, 10, 0), qty=2)  # leaves a backorder
        self.deliver(split, local(2026, 11, 6, 10, 0))  # the backorder: whole
        short = self.sell(self.customer_c, local(2026, 11, 2, 10, 0), qty=5)
        self.deliver(short, local(2026, 11, 3, 10, 0), qty=2, backorder=False)
        open_rest = self.sell(self.customer_d, local(2026, 11, 2, 10, 0), qty=5)
        self.deliver(open_rest, local(2026, 11, 4, 10, 0), qty=4)  # backorder open
        # Left out: a return, and a split delivery validated before the cycle.
        self.return_goods(whole_delivery, local(2026, 11, 7, 10, 0), 2)
        old = self.sell(self.customer_a, local(2026, 9, 2, 10, 0), qty=5)
        self.deliver(old, local(2026, 9, 3, 10, 0), qty=1)
        # 5 deliveries validated in the window, 2 left a backorder.
        self.assertAlmostEqual(self.value("backorder_rate"), 2 / 5 * 100)

    def test_inventory_turnover(self):
        """Standard cost 10, manual periodic valuation: layers at 10 a unit."""
        category = self.env["product.category"].create({"name": "OKR Valued"})
        valued = self.env["product.product"].create(
            {
                "name": "OKR Valued Widget",
                "type": "consu",
                "is_storable": True,
                "categ_id": category.id,
                "list_price": 25.0,
                "taxes_id": [(5,)],
            }
        )
        for company in self.company | self.other_company:
            category.with_company(company).write(
                {
                    "property_cost_method": "standard",
                    "property_valuation": "manual_periodic",
                }
            )
            valued.with_company(company).standard_price = 10.0

        # Before the window: 100 in (+1000), 20 delivered (-200).
        self.receive(valued, 100, local(2026, 9, 20, 10, 0))
        before = self.sell(
            self.customer_a, local(2026, 9, 25, 10, 0), qty=20, product=valued
        )
        self.deliver(before, local(2026, 9, 25, 12, 0))
        # Another company's stock: never counted.
        self.receive(
            valued, 100, local(2026, 10, 5, 10, 0), warehouse=self.other_warehouse
        )
        # In the window: 30 delivered (-300), 50 in (+500), 10 returned (+100).
        order = self.sell(
            self.customer_b, local(2026, 11, 10, 10, 0), qty=30, product=valued
        )
        delivery = self.deliver(order, local(2026, 11, 10, 12, 0))
        self.receive(valued, 50, local(2026, 11, 15, 10, 0))
        self.return_goods(delivery, local(2026, 11, 20, 12, 0), 10)
        # After the window: 5 delivered.
        after = self.sell(
            self.customer_c, local(2026, 12, 30, 10, 0), qty=5, product=valued
        )
        self.deliver(after, local(2027, 1, 2, 10, 0))

        key_result = self.key_result("inventory_turnover")
        value = self.compute(key_result)
        # Cost of goods delivered: 300 - 100 returned = 200.
        # Stock value at the start: 1000 - 200 = 800; at the end:
        # 800 - 300 + 500 + 100 = 1100; average 950.
        self.assertAlmostEqual(value, 200 / 950)
        # The drill-down opens the valuation layers of the goods delivered.
        layers = self.records(key_result)
        self.assertEqual(len(layers), 2)
        self.assertAlmostEqual(-sum(layers.mapped("value")), 200.0)

    def test_late_open_orders(self):
        now = local(2026, 11, 20, 12, 0)
        due = local(2026, 11, 15, 18, 0)
        not_delivered = self.sell(self.customer_a, local(2026, 11, 10, 10, 0))
        not_delivered.commitment_date = due
        partial = self.sell(self.customer_b, local(2026, 11, 10, 10, 0), qty=5)
        partial.commitment_date = due
        self.deliver(partial, local(2026, 11, 14, 10, 0), qty=2)
        # No commitment date: the expected date (no lead time: the confirmation).
        self.sell(self.customer_c, local(2026, 11, 1, 10, 0))
        # The window does not apply: an order of the previous quarter counts.
        old = self.sell(self.customer_d, local(2026, 9, 1, 10, 0))
        old.commitment_date = local(2026, 9, 10, 18, 0)
        # Not late: delivered, promised later, cancelled, a quotation, another
        # company's.
        delivered = self.sell(self.customer_a, local(2026, 11, 10, 10, 0))
        delivered.commitment_date = due
        self.deliver(delivered, local(2026, 11, 16, 10, 0))
        later = self.sell(self.customer_b, local(2026, 11, 10, 10, 0))
        later.commitment_date = local(2026, 11, 25, 18, 0)
        # Promised for now or within the hour: not passed yet.
        for promised in (now, now + timedelta(hours=1)):
            self.sell(
                self.customer_b,
                local(2026, 11, 10, 10, 0),
                commitment_date=promised,
            )
        cancelled = self.sell(self.customer_c, local(2026, 11, 10, 10, 0))
        cancelled.commitment_date = due
        self.cancel(cancelled, local(2026, 11, 11, 10, 0))
        self.sell(
            self.customer_d,
            None,
            created=local(2026, 11, 10, 10, 0),
            commitment_date=due,
        )
        other = self.sell(
            self.customer_a, local(2026, 11, 10, 10, 0), company=self.other_company
        )
        other.commitment_date = due

        # Not delivered, partial, no commitment date, previous quarter.
        self.assertEqual(self.value("late_open_orders", when=now), 4.0)
        self.assertEqual(
            self.value("late_open_orders", window="rolling", window_days=1, when=now),
            4.0,
        )
        # Ten days earlier, the orders promised on the 15th were not late yet.
        self.assertEqual(
            self.value("late_open_orders", when=local(2026, 11, 10, 12, 0)), 2.0
        )
