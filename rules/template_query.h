// The alert templates' `query` function over the PromQL engine: an instant query of the given
// expression at the evaluation time, its vector (or scalar) as template samples.
//
// The returned function borrows `engine` and `data` (both must outlive it); it is thread-safe
// as they are.
#pragma once

#include "agent/promql/engine.h"
#include "agent/store/queryable.h"
#include "rules/template/funcs.h"

namespace tocsin::rules {

tmpl::TemplateQueryFn MakeTemplateQuery(const promql::Engine* engine, const Queryable* data);

}  // namespace tocsin::rules
