from odoo import models


def _removing_this_addon(env):
    """Whether this addon is being uninstalled: its metrics go with it, and the
    columns they read may be gone already."""
    return bool(
        env["ir.module.module"]
        .sudo()
        .search_count(
            [("name", "=", "okr_order_management"), ("state", "=", "to remove")]
        )
    )


class IrModel(models.Model):
    _inherit = "ir.model"

    def unlink(self):
        # Before the rows go: the metrics reading these models are archived.
        if not _removing_this_addon(self.env):
            self.env["okr.metric"]._archive_readers_of(removed_models=self)
        return super().unlink()


class IrModelFields(models.Model):
    _inherit = "ir.model.fields"

    def unlink(self):
        # Before the rows go: the metrics reading these fields are archived.
        if not _removing_this_addon(self.env):
            self.env["okr.metric"]._archive_readers_of(removed_fields=self)
        return super().unlink()
