// CountingSession: a Session that counts the statements run through it, for routes that must
// run a fixed number whatever the data (the sync: docs/benchmarks.md), so that a test and a
// metric can show it rather than a reading of the code.
#ifndef KEYWARDEN_SQL_COUNTING_SESSION_H_
#define KEYWARDEN_SQL_COUNTING_SESSION_H_

#include <cstdint>

#include "sql/database.h"

namespace keywarden::sql {

class CountingSession final : public Session {
 public:
  explicit CountingSession(Session& inner) : inner_(inner) {}

  using Session::Execute;
  Result<Rows> Execute(const Statement& statement, const Params& params) override {
    ++statements_;
    return inner_.Execute(statement, params);
  }
  Status ForEachRow(const Statement& statement, const Params& params, const RowVisitor& visit) override {
    ++statements_;
    return inner_.ForEachRow(statement, params, visit);
  }

  // Statements run so far (a ForEachRow is one, whatever its rows).
  std::uint64_t statements() const { return statements_; }

 private:
  Session& inner_;
  std::uint64_t statements_ = 0;
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_COUNTING_SESSION_H_
