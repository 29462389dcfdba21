from . import okr_cycle
from . import okr_tag
from . import okr_objective
from . import okr_key_result
from . import okr_checkin
from . import sale_order
from . import stock_picking
