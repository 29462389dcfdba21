from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        # A contact moving to another company (or becoming one) moves its
        # orders to another customer entity: the first orders of both change.
        if not {"parent_id", "is_company"} & vals.keys():
            return super().write(vals)
        entities = self._okr_order_entities()
        res = super().write(vals)
        if entities:
            self.env["sale.order"]._okr_update_first_orders(
                entities | self._okr_order_entities()
            )
            self.env["okr.key.result"]._okr_request_recompute()
        return res

    def _okr_order_entities(self):
        """The (company id, customer entity id) pairs of the confirmed orders
        of these partners and their contacts, grouped in SQL."""
        groups = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [("partner_id", "child_of", self.ids), ("state", "=", "sale")],
                ["company_id", "okr_commercial_partner_id"],
            )
        )
        return {(company.id, entity.id) for company, entity in groups if entity}
