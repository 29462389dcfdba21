from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.misc import format_datetime

from ..measure import Window

#: Confirmed orders not fully delivered: the population of the built-in
#: metric "Late open orders" (a test keeps the two equal).
OPEN_ORDERS = [
    ("state", "=", "sale"),
    ("delivery_status", "in", ["pending", "started", "partial"]),
]


class SaleOrder(models.Model):
    """Orders at risk: open orders whose promised date is past or near, most
    urgent first (the article's priority sorting). Computed when read: nothing
    more is written when an order is confirmed or delivered."""

    # Apart from the order facts (sale_order.py): a screen of its own.
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    okr_at_risk = fields.Boolean(
        string="At Risk",
        compute="_compute_okr_at_risk",
        search="_search_okr_at_risk",
        help="Confirmed, not fully delivered, and its promised date is past or "
        "within the company's Orders at Risk horizon.",
    )
    okr_delay_hours = fields.Float(
        string="Delay (h)",
        compute="_compute_okr_delay_hours",
        digits=(16, 1),
        help="Hours since the promised date; negative: hours left until it.",
    )

    @api.depends(
        "state",
        "delivery_status",
        "okr_promised_date",
        "company_id.okr_risk_horizon_days",
    )
    def _compute_okr_at_risk(self):
        at_risk = self.filtered_domain(self._okr_at_risk_domain())
        at_risk.okr_at_risk = True
        (self - at_risk).okr_at_risk = False

    @api.depends("okr_promised_date")
    def _compute_okr_delay_hours(self):
        now = fields.Datetime.now()
        for order in self:
            promised = order.okr_promised_date
            order.okr_delay_hours = (
                (now - promised).total_seconds() / 3600 if promised else 0.0
            )

    def _search_okr_at_risk(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._(
                    "Search “At Risk” for being set or not (= or != True), not "
                    "with %(operator)s %(value)s.",
                    operator=operator,
                    value=value,
                )
            )
        domain = self._okr_at_risk_domain()
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model
    def _okr_at_risk_domain(self):
        """Open orders overdue at "now + the horizon of their company": the
        late open orders of the metric, looking that far ahead."""
        now = fields.Datetime.now()
        # sudo: the horizon of every company whose orders the domain may match
        horizons = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            ._read_group([], ["okr_risk_horizon_days"], ["id:array_agg"])
        )
        due = [
            [
                ("company_id", "in", company_ids),
                *Window.overdue(now + timedelta(days=days), "UTC").domain(
                    "okr_promised_date", "datetime"
                ),
            ]
            for days, company_ids in horizons
        ]
        return expression.AND([OPEN_ORDERS, expression.OR(due)])

    @api.model
    def _okr_risk_views(self):
        """The list and search views of Orders at Risk, for the drill-down of
        orders overdue now: the orders counted, most urgent first."""
        return {
            "views": [
                (
                    self.env.ref(
                        "okr_order_management.sale_order_view_list_okr_risk"
                    ).id,
                    "list",
                ),
                (False, "form"),
                (False, "pivot"),
                (False, "graph"),
            ],
            "search_view_id": [
                self.env.ref("okr_order_management.sale_order_view_search_okr_risk").id
            ],
        }

    def action_okr_schedule_risk_activity(self):
        """One click from Orders at Risk: a to-do for the salesperson, due
        today, saying what was promised; never twice the same."""
        today = fields.Date.context_today(self)
        for order in self:
            summary = self.env._(
                "Order at risk: promised %(date)s",
                date=format_datetime(self.env, order.okr_promised_date),
            )
            user = order.user_id or self.env.user
            if order.activity_ids.filtered(
                lambda activity, s=summary, u=user: (
                    activity.summary == s and activity.user_id == u
                )
            ):
                continue
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=summary,
                user_id=user.id,
            )
        return True
