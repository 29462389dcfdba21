from . import test_okr_rules
from . import test_okr_progress
from . import test_okr_validation
from . import test_okr_access
from . import test_okr_checkin
from . import test_okr_i18n
from . import test_okr_tour
