from odoo import api, fields, models

from .order_facts import refuse_order_facts


class RatingRating(models.Model):
    """A customer's rating of a sale order, with the order facts that the
    customer satisfaction metric counts it by: its company, sales team,
    salesperson, warehouse and when the customer rated.

    Ratings have no company of their own: ``_okr_company_field`` tells the
    metric engine which field places them in a company.
    """

    _inherit = "rating.rating"
    _okr_company_field = "okr_company_id"

    okr_sale_order_id = fields.Many2one(
        "sale.order",
        string="Rated Sale Order",
        compute="_compute_okr_sale_order_id",
        store=True,
        index="btree_not_null",
        readonly=True,
        help="The sale order this rating is about.",
    )
    okr_company_id = fields.Many2one(
        related="okr_sale_order_id.company_id",
        string="Sale Order Company",
        store=True,
        readonly=True,
        index="btree_not_null",
    )
    okr_team_id = fields.Many2one(
        related="okr_sale_order_id.team_id",
        string="Sales Team",
        store=True,
        readonly=True,
    )
    okr_salesperson_id = fields.Many2one(
        related="okr_sale_order_id.user_id",
        string="Salesperson",
        store=True,
        readonly=True,
    )
    okr_warehouse_id = fields.Many2one(
        related="okr_sale_order_id.warehouse_id",
        string="Warehouse",
        store=True,
        readonly=True,
    )
    okr_rated_at = fields.Datetime(
        string="Rated On",
        copy=False,
        readonly=True,
        index=True,
        help="When the customer last gave this rating: the date that places it "
        "in a key result's window.",
    )

    @api.depends("res_model", "res_id")
    def _compute_okr_sale_order_id(self):
        for rating in self:
            rating.okr_sale_order_id = (
                rating.res_id if rating.res_model == "sale.order" else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        refuse_order_facts(self, vals_list)
        now = fields.Datetime.now()
        vals_list = [
            dict(vals, okr_rated_at=now) if vals.get("consumed") else vals
            for vals in vals_list
        ]
        ratings = super().create(vals_list)
        ratings._okr_changed()
        return ratings

    def write(self, vals):
        refuse_order_facts(self, [vals])
        if {"rating", "consumed"} & vals.keys():
            # Rated now: the customer applied (or changed) their rating.
            if "consumed" in vals:
                rated = self if vals["consumed"] else self.browse()
            else:
                rated = self.filtered("consumed")
            now = fields.Datetime.now() if rated else False
            super(RatingRating, rated).write(dict(vals, okr_rated_at=now))
            vals = dict(vals, okr_rated_at=False) if "consumed" in vals else vals
            res = super(RatingRating, self - rated).write(vals)
        else:
            res = super().write(vals)
        if {"rating", "consumed", "res_model_id", "res_id"} & vals.keys():
            self._okr_changed()
        return res

    def _okr_changed(self):
        """Customers rated orders: ask for a recompute of the metrics over
        ratings of their companies."""
        companies = self.filtered("consumed").okr_company_id
        if companies:
            self.env["okr.key.result"]._okr_request_recompute(
                model_names=["rating.rating"], company_ids=sorted(companies.ids)
            )
