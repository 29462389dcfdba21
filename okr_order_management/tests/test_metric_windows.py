from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import tagged

from .. import metric_engine
from .metric_common import AFTER_Q4, MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricWindows(MetricCase):
    """Windows in the company's timezone, rolling windows, growth, scopes,
    companies and currencies."""

    def test_cycle_edges_in_the_company_timezone(self):
        """Q4 runs from 2026-10-01 00:00 to 2027-01-01 00:00 in Shanghai
        (UTC+8): in UTC, from 09-30 16:00 to 12-31 16:00."""
        for confirmed, price in (
            (local(2026, 9, 30, 23, 30), 1.0),  # out: still Q3 in Shanghai
            (local(2026, 9, 30, 23, 59, 59), 2.0),  # out: the last second of Q3
            (local(2026, 10, 1, 0, 0), 4.0),  # in: the first second
            (local(2026, 10, 1, 0, 30), 8.0),  # in
            (local(2026, 12, 31, 23, 30), 16.0),  # in: 15:30 UTC on the 31st
            (local(2026, 12, 31, 23, 59, 59), 32.0),  # in: the last second
            (local(2027, 1, 1, 0, 0), 64.0),  # out: the first second of 2027
            (local(2027, 1, 1, 0, 30), 128.0),  # out, though 12-31 16:30 UTC
        ):
            self.sell(self.customer_a, confirmed, price=price)
        self.assertEqual(self.value("revenue"), 4.0 + 8.0 + 16.0 + 32.0)

    def test_utc_company_keeps_utc_days(self):
        self.company.partner_id.tz = False
        self.sell(self.customer_a, local(2026, 10, 1, 0, 30), price=1.0)  # 09-30 UTC
        self.sell(self.customer_a, local(2026, 10, 1, 8, 0), price=2.0)  # 10-01 UTC
        self.sell(self.customer_a, local(2027, 1, 1, 0, 30), price=4.0)  # 12-31 UTC
        self.assertEqual(self.value("revenue"), 2.0 + 4.0)

    def test_date_field_window_takes_local_days(self):
        """A metric placed by a date (not a date-time) takes whole local days."""
        metric = self.env["okr.metric"].create(
            {
                "name": "Quotations expiring",
                "code": "test_quotations_expiring",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "date_field_id": self.env.ref(
                    "sale.field_sale_order__validity_date"
                ).id,
                "aggregate": "count",
            }
        )
        for validity in (
            date(2026, 9, 30),
            date(2026, 10, 1),
            date(2026, 12, 31),
            date(2027, 1, 1),
        ):
            self.sell(
                self.customer_a,
                None,
                created=local(2026, 9, 1, 10, 0),
                validity_date=validity,
            )
        key_result = self.key_result(metric)
        self.assertEqual(self.compute(key_result), 2.0)
        self.assertEqual(len(self.records(key_result)), 2)

    def test_cycle_to_date(self):
        now = local(2026, 11, 15, 12, 0)
        self.sell(self.customer_a, local(2026, 10, 10, 10, 0), price=1.0)
        self.sell(self.customer_a, now, price=2.0)  # up to now, included
        self.sell(self.customer_a, now + timedelta(seconds=1), price=4.0)
        self.sell(self.customer_a, local(2026, 12, 10, 10, 0), price=8.0)
        self.assertEqual(self.value("revenue", "cycle_to_date", when=now), 3.0)
        self.assertEqual(self.value("revenue", "cycle", when=now), 15.0)
        # Before the cycle starts, nothing is to date yet.
        self.assertEqual(
            self.value("revenue", "cycle_to_date", when=local(2026, 9, 20)), 0.0
        )

    def test_rolling_window(self):
        """The last 7 days: 7 × 24 h up to now included, across the cycle's
        start if need be."""
        now = local(2026, 10, 3, 12, 0)
        self.sell(self.customer_a, now - timedelta(days=7), price=1.0)  # out
        self.sell(self.customer_a, local(2026, 9, 26, 12, 0, 1), price=2.0)  # in
        self.sell(self.customer_a, local(2026, 9, 30, 10, 0), price=4.0)  # in (Q3)
        self.sell(self.customer_a, now, price=8.0)  # in
        self.sell(self.customer_a, now + timedelta(hours=1), price=16.0)  # out
        self.assertEqual(
            self.value("revenue", "rolling", window_days=7, when=now), 2.0 + 4.0 + 8.0
        )
        self.assertEqual(self.value("revenue", "rolling", window_days=1, when=now), 8.0)

    def test_growth_against_the_previous_rolling_window(self):
        now = local(2026, 11, 30, 12, 0)
        customers = self.env["res.partner"].create(
            [{"name": f"Customer {i}"} for i in range(5)]
        )
        # Previous 30 days: 4 new customers; last 30 days: 1.
        for index, day in enumerate((2, 5, 20, 30)):
            self.sell(customers[index], local(2026, 10, day, 10, 0))
        self.sell(customers[4], local(2026, 11, 10, 10, 0))
        self.assertAlmostEqual(
            self.value("new_customer_growth", "rolling", window_days=30, when=now),
            (1 - 4) / 4 * 100,
        )

    def test_scopes(self):
        """Every scope of the same metric, all evaluated by one query."""
        wh_1, wh_2 = self.warehouse, self.warehouse_2
        north, south = self.team_north, self.team_south
        sp_1, sp_2 = self.salesperson_1, self.salesperson_2
        for partner, team, user, warehouse, price in (
            (self.customer_a, north, sp_1, wh_1, 1.0),
            (self.customer_a, north, sp_2, wh_2, 2.0),
            (self.customer_b, south, sp_1, wh_1, 4.0),
            (self.customer_b, south, sp_2, wh_2, 8.0),
            (self.customer_c, False, False, wh_1, 16.0),
        ):
            self.sell(
                partner,
                local(2026, 11, 10, 10, 0),
                price=price,
                team_id=team and team.id,
                user_id=user and user.id,
                warehouse_id=warehouse.id,
            )
        bolt = f"[('partner_id', '=', {self.customer_b.id})]"
        expected = {
            "company": ({}, 31.0),
            "north": ({"team_id": north.id}, 3.0),
            "south": ({"team_id": south.id}, 12.0),
            "salesperson 1": ({"salesperson_id": sp_1.id}, 5.0),
            "salesperson 2": ({"salesperson_id": sp_2.id}, 10.0),
            "warehouse 1": ({"warehouse_id": wh_1.id}, 21.0),
            "warehouse 2": ({"warehouse_id": wh_2.id}, 10.0),
            "north, salesperson 2": (
                {"team_id": north.id, "salesperson_id": sp_2.id},
                2.0,
            ),
            "south, salesperson 1, warehouse 1": (
                {
                    "team_id": south.id,
                    "salesperson_id": sp_1.id,
                    "warehouse_id": wh_1.id,
                },
                4.0,
            ),
            "north, warehouse 1": ({"team_id": north.id, "warehouse_id": wh_1.id}, 1.0),
            "extra filter": ({"scope_domain": bolt}, 12.0),
            "extra filter, salesperson 2": (
                {"scope_domain": bolt, "salesperson_id": sp_2.id},
                8.0,
            ),
            "extra filter, north": ({"scope_domain": bolt, "team_id": north.id}, 0.0),
        }
        key_results = {
            name: self.key_result("revenue", name=name, **vals)
            for name, (vals, _value) in expected.items()
        }
        self.compute(self.env["okr.key.result"].union(*key_results.values()))
        for name, (_vals, value) in expected.items():
            with self.subTest(scope=name):
                self.assertEqual(key_results[name].current_value, value)
                self.assertFalse(key_results[name].compute_error)

    def test_delivery_scopes(self):
        """Deliveries take the sales team and salesperson of their order and
        the warehouse of their operation."""
        promised = local(2026, 11, 12, 18, 0)
        for team, warehouse, validated in (
            (self.team_north, self.warehouse, local(2026, 11, 12, 9, 0)),
            (self.team_north, self.warehouse_2, local(2026, 11, 13, 9, 0)),
            (self.team_south, self.warehouse_2, local(2026, 11, 12, 9, 0)),
            (self.team_south, self.warehouse_2, local(2026, 11, 12, 10, 0)),
        ):
            order = self.sell(
                self.customer_a,
                local(2026, 11, 10, 10, 0),
                team_id=team.id,
                user_id=self.salesperson_1.id,
                warehouse_id=warehouse.id,
                commitment_date=promised,
            )
            self.deliver(order, validated)
        north = self.key_result("on_time_delivery_rate", team_id=self.team_north.id)
        wh_2 = self.key_result(
            "on_time_delivery_rate", warehouse_id=self.warehouse_2.id
        )
        wh_1 = self.key_result("on_time_delivery_rate", warehouse_id=self.warehouse.id)
        south_wh_2 = self.key_result(
            "on_time_delivery_rate",
            team_id=self.team_south.id,
            warehouse_id=self.warehouse_2.id,
        )
        self.compute(north | wh_2 | wh_1 | south_wh_2)
        self.assertEqual(north.current_value, 50.0)
        self.assertAlmostEqual(wh_2.current_value, 2 / 3 * 100)
        self.assertEqual(wh_1.current_value, 100.0)
        self.assertEqual(south_wh_2.current_value, 100.0)

    def test_other_company_never_counts(self):
        """Same customer, product and day in another company: its orders only
        count in its own key results."""
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        self.sell(
            self.customer_a,
            local(2026, 11, 10, 10, 0),
            price=7000.0,
            company=self.other_company,
            team_id=self.other_team.id,
        )
        other_cycle = self.env["okr.cycle"].create(
            {
                "name": "2026 Q4 other",
                "date_start": date(2026, 10, 1),
                "date_end": date(2026, 12, 31),
                "company_id": self.other_company.id,
            }
        )
        other_objective = self.env["okr.objective"].create(
            {
                "name": "Other company objective",
                "cycle_id": other_cycle.id,
                "company_id": self.other_company.id,
                "user_id": self.env.ref("base.user_admin").id,
            }
        )
        ours = self.key_result("revenue")
        ours_new = self.key_result("new_customers")
        theirs = self.key_result("revenue", objective_id=other_objective.id)
        theirs_new = self.key_result("new_customers", objective_id=other_objective.id)
        self.compute(ours | ours_new | theirs | theirs_new)
        self.assertEqual(ours.current_value, 100.0)
        self.assertEqual(ours_new.current_value, 1.0)
        self.assertEqual(theirs.current_value, 7000.0)
        self.assertEqual(theirs_new.current_value, 1.0)
        self.assertEqual(
            self.records(ours).company_id, self.company, "drill-down leaks"
        )

    def test_foreign_currency_at_the_rate_of_the_order(self):
        """1 USD = 8 CNY until November, then 10 CNY, then 4 CNY in December:
        each order counts at the rate of its own date."""
        Rate = self.env["res.currency.rate"]
        for day, rate in ((date(2026, 11, 1), 0.1), (date(2026, 12, 1), 0.25)):
            Rate.create(
                {
                    "name": day,
                    "rate": rate,
                    "currency_id": self.foreign_currency.id,
                    "company_id": self.company.id,
                }
            )
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "USD",
                "currency_id": self.foreign_currency.id,
                "company_id": self.company.id,
            }
        )
        october = self.sell(
            self.customer_a,
            local(2026, 10, 20, 10, 0),
            price=100.0,
            pricelist_id=pricelist.id,
        )
        november = self.sell(
            self.customer_b,
            local(2026, 11, 20, 10, 0),
            price=100.0,
            pricelist_id=pricelist.id,
        )
        self.sell(self.customer_c, local(2026, 11, 21, 10, 0), price=50.0)
        self.assertEqual(october.currency_id, self.foreign_currency)
        self.assertAlmostEqual(october.okr_amount_company, 800.0)
        self.assertAlmostEqual(november.okr_amount_company, 1000.0)
        # 800 + 1000 + 50 CNY
        self.assertAlmostEqual(self.value("revenue"), 1850.0)
        self.assertAlmostEqual(self.value("average_order_value"), 1850.0 / 3)

    def test_windows_share_one_query_per_group(self):
        """Key results of one source and window, of several metrics and scopes,
        cost one query; another window is another query."""
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=10.0)
        same_window = (
            self.key_result("revenue")
            | self.key_result("revenue", team_id=self.team_north.id)
            | self.key_result(
                "average_order_value", salesperson_id=self.salesperson_1.id
            )
            | self.key_result(
                "order_confirmation_hours", warehouse_id=self.warehouse.id
            )
            | self.key_result("complaint_rate")
            | self.key_result(
                "new_customers", scope_domain="[('amount_total', '>', 5)]"
            )
        )
        self.assertEqual(self._count_select_queries(same_window), 1)
        with_rolling = same_window | self.key_result(
            "revenue", "rolling", window_days=9
        )
        self.assertEqual(self._count_select_queries(with_rolling), 2)

    def _count_select_queries(self, key_results):
        """The number of aggregate queries the evaluator runs."""
        fetch = metric_engine.GroupQuery.fetch
        with patch.object(
            metric_engine.GroupQuery, "fetch", autospec=True, side_effect=fetch
        ) as fetched:
            metric_engine.evaluate(
                self.env,
                {kr.id: kr._okr_measure(AFTER_Q4) for kr in key_results},
            )
        return fetched.call_count
