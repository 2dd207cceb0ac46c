#include "hooks/object_checks.h"

namespace pushgate {

Status CheckObjects(const CheckContext&, std::vector<Finding>*) { return Status::Ok(); }

}  // namespace pushgate
