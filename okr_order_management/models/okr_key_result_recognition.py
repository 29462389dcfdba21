from odoo import models

from .okr_input import format_number


class OkrKeyResult(models.Model):
    """A key result announces its first achievement."""

    _name = "okr.key.result"
    _inherit = ["okr.key.result", "okr.achievement.mixin"]

    def _okr_achieved_body(self):
        target = " ".join(
            filter(None, [format_number(self.env, self.target_value), self.unit])
        )
        return self._okr_paragraph(
            self.env._(
                "Key result achieved: “%(key_result)s” reached its target "
                "(%(target)s). Congratulations, %(owner)s!",
                key_result=self.name,
                target=target,
                owner=self.user_id.name,
            )
        )
