from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        # A contact moving to another company (or becoming one) moves its
        # orders to another customer entity: the first orders of both change.
        if not {"parent_id", "is_company"} & vals.keys():
            return super().write(vals)
        orders = (
            self.env["sale.order"]
            .sudo()
            .search([("partner_id", "child_of", self.ids), ("state", "=", "sale")])
        )
        entities = orders._okr_entities()
        res = super().write(vals)
        if orders:
            orders._okr_update_first_orders(entities | orders._okr_entities())
            self.env["okr.key.result"]._okr_request_recompute()
        return res
