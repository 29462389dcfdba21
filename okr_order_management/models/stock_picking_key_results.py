from odoo import models


class StockPicking(models.Model):
    """A delivery shows the key results it counts towards."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "okr.counted.mixin"]
