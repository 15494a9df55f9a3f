#include "agent/config/config.h"

#include <ostream>

namespace tocsin {

std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<secret>"; }

}  // namespace tocsin
