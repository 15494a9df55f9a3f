// LibpqApi: the libpq functions the postgres collector calls, bound at run time from
// libpq.so.5 (core/shared_library.h) so that libpq and its TLS/Kerberos/LDAP dependencies are
// only mapped when a postgres collector is configured.
//
// Libpq() loads once per process; every call returns the same table or the same error (naming
// the library or symbol). The table is immutable; safe to use from any thread.
#pragma once

#include <libpq-fe.h>

#include "agent/core/status.h"

namespace tocsin::postgres {

// clang-format off
#define TOCSIN_LIBPQ_FUNCTIONS(X) \
  X(PQcancel) \
  X(PQclear) \
  X(PQconnectPoll) \
  X(PQconnectStartParams) \
  X(PQconninfoFree) \
  X(PQconninfoParse) \
  X(PQconsumeInput) \
  X(PQerrorMessage) \
  X(PQfinish) \
  X(PQflush) \
  X(PQfname) \
  X(PQfreeCancel) \
  X(PQfreemem) \
  X(PQgetCancel) \
  X(PQgetResult) \
  X(PQgetisnull) \
  X(PQgetlength) \
  X(PQgetvalue) \
  X(PQisBusy) \
  X(PQnfields) \
  X(PQntuples) \
  X(PQresultErrorMessage) \
  X(PQresultStatus) \
  X(PQsendQuery) \
  X(PQserverVersion) \
  X(PQsetnonblocking) \
  X(PQsocket) \
  X(PQstatus)
// clang-format on

struct LibpqApi {
#define TOCSIN_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  TOCSIN_LIBPQ_FUNCTIONS(TOCSIN_LIBPQ_MEMBER)
#undef TOCSIN_LIBPQ_MEMBER
};

Result<const LibpqApi*> Libpq();

}  // namespace tocsin::postgres
