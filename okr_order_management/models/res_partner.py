from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        moving = self.browse()
        if {"parent_id", "is_company"} & vals.keys():
            moving = self.filtered(lambda partner: partner._okr_is_moved_by(vals))
        if not moving:
            return super().write(vals)
        # sudo: the orders of every company and salesperson move with the
        # contact, whoever edits it.
        orders = (
            self.env["sale.order"]
            .sudo()
            .search([("partner_id", "child_of", moving.ids), ("state", "=", "sale")])
        )
        entities = orders._okr_entities()
        res = super().write(vals)
        if orders:
            orders._okr_changed(entities)
        return res

    def _okr_is_moved_by(self, vals):
        """Whether writing ``vals`` moves this partner's orders to another
        customer entity: a contact moving to another company, or a contact
        becoming a company (or the reverse)."""
        if "parent_id" in vals and self.parent_id.id != (vals["parent_id"] or False):
            return True
        return "is_company" in vals and self.is_company != bool(vals["is_company"])
