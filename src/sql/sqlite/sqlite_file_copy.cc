#include "sql/sqlite/sqlite_file_copy.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

namespace keywarden::sql {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Long enough for a service's write transaction to end, short enough that a running service
// (which keeps the database open) is reported at once.
constexpr int kInUseTimeoutMs = 1000;

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

Status SqliteFailure(int rc, const std::string& path, std::string_view what) {
  const int primary = rc & 0xff;
  if (primary == SQLITE_NOTADB) return InvalidArgumentError(Quoted(path) + " is not a SQLite database");
  if (primary == SQLITE_CORRUPT)
    return InvalidArgumentError(Quoted(path) + " is damaged (SQLite: " + sqlite3_errstr(rc) + ")");
  std::string message = "SQLite failed " + std::string(what) + " " + Quoted(path) + ": " + sqlite3_errstr(rc);
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: return UnavailableError(std::move(message));
    default: return InternalError(std::move(message));
  }
}

Status ErrnoFailure(std::string_view what, const std::string& path) {
  return UnavailableError("cannot " + std::string(what) + " " + Quoted(path) + ": " + std::strerror(errno));
}

// One sqlite3 handle, closed when it goes.
class Handle final : public SqliteFileReader {
 public:
  Handle(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~Handle() { sqlite3_close_v2(db_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const override { return path_; }

  Result<std::int64_t> Integer(const char* sql, std::string_view what) override {
    std::int64_t value = 0;
    KW_RETURN_IF_ERROR(FirstColumn(sql, what, [&](sqlite3_stmt* stmt) { value = sqlite3_column_int64(stmt, 0); }));
    return value;
  }
  // The first column of the first row as text ("" for no row or NULL).
  Result<std::string> Text(const char* sql, std::string_view what) {
    std::string value;
    KW_RETURN_IF_ERROR(FirstColumn(sql, what, [&](sqlite3_stmt* stmt) {
      if (const auto* text = sqlite3_column_text(stmt, 0); text != nullptr) value = reinterpret_cast<const char*>(text);
    }));
    return value;
  }
  Status Exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? OkStatus() : SqliteFailure(rc, path_, what);
  }

 private:
  template <typename Read>
  Status FirstColumn(const char* sql, std::string_view what, Read read) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) read(stmt);
      if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? OkStatus() : SqliteFailure(rc, path_, what);
  }

  sqlite3* db_;
  std::string path_;
};

Result<std::unique_ptr<Handle>> OpenExisting(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  auto handle = std::make_unique<Handle>(db, path);  // closes db even on failure
  if (rc != SQLITE_OK) return SqliteFailure(rc, path, "to open");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return handle;
}

// For reading only: read-write without create (a WAL database's reader needs its -shm) but with
// query_only, else read-only (a backup on read-only media).
Result<std::unique_ptr<Handle>> OpenForReading(const std::string& path) {
  auto db = OpenExisting(path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) db = OpenExisting(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  KW_RETURN_IF_ERROR((*db)->Exec("PRAGMA query_only=ON", "to read"));
  return db;
}

bool Exists(const std::string& path, struct stat* info = nullptr) {
  struct stat ignored {};
  return ::stat(path.c_str(), info != nullptr ? info : &ignored) == 0;
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return Exists(a, &sa) && Exists(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string Folder(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoFailure("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? OkStatus() : ErrnoFailure("sync", path);
}

// A new empty file of mode 0600 beside `path` (same folder, so renaming it over `path` is atomic).
Result<std::string> TempFileBeside(const std::string& path, std::string_view tag) {
  std::string name = path + std::string(tag) + "-XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return ErrnoFailure("create a file beside", path);
  ::close(fd);
  return name;
}

void RemoveWithSidecars(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
}

// Copies every page of `source` into the empty file `destination` in one step (one read
// snapshot), leaves the copy in rollback-journal mode, checks it and syncs it to disk.
Status CopyInto(Handle& source, const std::string& destination) {
  KW_ASSIGN_OR_RETURN(auto copy, OpenExisting(destination, SQLITE_OPEN_READWRITE));
  sqlite3_backup* backup = sqlite3_backup_init(copy->get(), "main", source.get(), "main");
  if (backup == nullptr)
    return SqliteFailure(sqlite3_extended_errcode(copy->get()), destination, "to start copying to");
  // The source's lock is not covered by a busy handler: retry while another process holds it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, -1);
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int finish = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return SqliteFailure(rc, source.path(), "to copy");
  if (finish != SQLITE_OK) return SqliteFailure(finish, destination, "to finish copying to");

  KW_ASSIGN_OR_RETURN(std::string mode, copy->Text("PRAGMA journal_mode=DELETE", "to set the journal mode of"));
  if (mode != "delete") return InternalError("cannot make " + Quoted(destination) + " a single-file database");
  KW_ASSIGN_OR_RETURN(std::string check, copy->Text("PRAGMA quick_check", "to check"));
  if (check != "ok") return InternalError("the copy " + Quoted(destination) + " failed SQLite's check");
  copy.reset();
  return SyncPath(destination, O_RDONLY);
}

// Runs `check` on `path`, opened for reading only.
Status CheckCopy(const std::string& path, const SqliteFileCheck& check, bool allow_newer) {
  KW_ASSIGN_OR_RETURN(auto copy, OpenForReading(path));
  return check(*copy, allow_newer);
}

// "20261125T175000Z"
std::string UtcStamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// True when `path` starts with SQLite's header string.
bool HasSqliteHeader(const std::string& path) {
  static constexpr char kHeader[] = "SQLite format 3";  // and its NUL: 16 bytes
  char bytes[sizeof kHeader] = {};
  std::ifstream in(path, std::ios::binary);
  return in.read(bytes, sizeof bytes) && std::memcmp(bytes, kHeader, sizeof kHeader) == 0;
}

// Checkpoints and leaves WAL mode on the existing target, which needs it to be closed everywhere
// else: the test that no service has it open, and what makes the file whole by itself before
// it is kept aside. A damaged target (being replaced because of it) is let through; one that is
// not SQLite at all is not even opened, since SQLite may drop the WAL beside a file it rejects.
Status CloseTargetEverywhere(const std::string& target) {
  if (!HasSqliteHeader(target)) return OkStatus();
  auto db = OpenExisting(target, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.status().code() == ErrorCode::kInvalidArgument ? OkStatus() : db.status();
  sqlite3_busy_timeout((*db)->get(), kInUseTimeoutMs);
  auto mode = (*db)->Text("PRAGMA journal_mode=DELETE", "to take over");
  if (!mode.ok() && mode.status().code() == ErrorCode::kInvalidArgument) return OkStatus();  // damaged
  if (!mode.ok() || *mode != "delete") {
    return UnavailableError("the database " + Quoted(target) +
                            " is in use by another process; stop the service using it before restoring");
  }
  return OkStatus();
}

}  // namespace

Status CheckSqliteFile(const std::string& path, const SqliteFileCheck& check) {
  if (!Exists(path)) return NotFoundError("no database at " + Quoted(path));
  return CheckCopy(path, check, /*allow_newer=*/false);
}

Status BackupSqliteFile(const std::string& source, const std::string& destination, bool overwrite,
                        const SqliteFileCheck& check) {
  if (source.empty() || destination.empty()) return InvalidArgumentError("a database path is empty");
  if (!Exists(source)) return NotFoundError("no database at " + Quoted(source));
  if (Exists(destination)) {
    if (SameFile(source, destination)) return InvalidArgumentError("the backup would overwrite the database itself");
    if (!overwrite) return AlreadyExistsError("the backup file " + Quoted(destination) + " already exists");
  }
  KW_ASSIGN_OR_RETURN(auto db, OpenForReading(source));
  KW_RETURN_IF_ERROR(check(*db, /*allow_newer=*/true));

  KW_ASSIGN_OR_RETURN(std::string temp, TempFileBeside(destination, ".partial"));
  Status copied = [&]() -> Status {
    KW_RETURN_IF_ERROR(CopyInto(*db, temp));
    db.reset();
    KW_RETURN_IF_ERROR(CheckCopy(temp, check, /*allow_newer=*/true));
    if (::rename(temp.c_str(), destination.c_str()) != 0) return ErrnoFailure("write", destination);
    return SyncPath(Folder(destination), O_RDONLY | O_DIRECTORY);
  }();
  if (!copied.ok()) RemoveWithSidecars(temp);
  return copied;
}

Result<std::unique_ptr<StagedSqliteRestore>> StagedSqliteRestore::Stage(const std::string& backup,
                                                                        const std::string& target, bool replace,
                                                                        const SqliteFileCheck& check) {
  if (backup.empty() || target.empty()) return InvalidArgumentError("a database path is empty");
  if (!Exists(backup)) return NotFoundError("no backup at " + Quoted(backup));
  if (Exists(target)) {
    if (SameFile(backup, target)) return InvalidArgumentError("the backup is the database itself");
    if (!replace) return AlreadyExistsError("the database " + Quoted(target) + " exists and would be replaced");
  }
  if (!std::filesystem::is_directory(Folder(target))) {
    return NotFoundError("the folder of " + Quoted(target) + " does not exist");
  }
  KW_ASSIGN_OR_RETURN(auto db, OpenForReading(backup));
  KW_RETURN_IF_ERROR(check(*db, /*allow_newer=*/false));

  KW_ASSIGN_OR_RETURN(std::string staged, TempFileBeside(target, ".restore"));
  const Status copied = [&]() -> Status {
    KW_RETURN_IF_ERROR(CopyInto(*db, staged));
    return CheckCopy(staged, check, /*allow_newer=*/false);
  }();
  if (!copied.ok()) {
    RemoveWithSidecars(staged);
    return copied;
  }
  return std::unique_ptr<StagedSqliteRestore>(new StagedSqliteRestore(target, std::move(staged)));
}

StagedSqliteRestore::~StagedSqliteRestore() {
  if (!committed_) RemoveWithSidecars(staged_);
}

Result<std::string> StagedSqliteRestore::Commit() {
  if (committed_) return InvalidArgumentError("this restore was already committed");
  {
    // The caller's checks may have left the copy in WAL mode; it must travel as one file.
    KW_ASSIGN_OR_RETURN(auto copy, OpenExisting(staged_, SQLITE_OPEN_READWRITE));
    sqlite3_busy_timeout(copy->get(), kInUseTimeoutMs);
    auto mode = copy->Text("PRAGMA journal_mode=DELETE", "to set the journal mode of");
    if (!mode.ok() || *mode != "delete") return InternalError("the staged copy " + Quoted(staged_) + " is still open");
  }
  KW_RETURN_IF_ERROR(SyncPath(staged_, O_RDONLY));

  std::string kept;
  struct stat target_info {};
  if (Exists(target_, &target_info)) {
    KW_RETURN_IF_ERROR(CloseTargetEverywhere(target_));
    // Keep the replaced database under a new name (a hard link: no copy, and the target itself
    // stays in place until the rename below).
    const std::string base = target_ + ".pre-restore-" + UtcStamp();
    kept = base;
    for (int n = 2; Exists(kept); ++n) kept = base + "-" + std::to_string(n);
    if (::link(target_.c_str(), kept.c_str()) != 0) return ErrnoFailure("keep the replaced database as", kept);
    // A damaged target may still have a WAL: it belongs with the kept file, never with the new one.
    for (const char* suffix : {"-wal", "-shm"}) {
      if (Exists(target_ + suffix) && ::rename((target_ + suffix).c_str(), (kept + suffix).c_str()) != 0) {
        const Status failed = ErrnoFailure("move aside", target_ + suffix);
        ::unlink(kept.c_str());
        return failed;
      }
    }
    if ((target_info.st_uid != ::geteuid() || target_info.st_gid != ::getegid()) &&
        ::chown(staged_.c_str(), target_info.st_uid, target_info.st_gid) != 0) {
      const Status failed = ErrnoFailure("give the owner of the replaced database to", staged_);
      ::unlink(kept.c_str());
      return failed;
    }
    ::chmod(staged_.c_str(), target_info.st_mode & 0660);
  } else if (::geteuid() == 0) {
    struct stat folder {};
    if (Exists(Folder(target_), &folder) && ::chown(staged_.c_str(), folder.st_uid, folder.st_gid) != 0) {
      return ErrnoFailure("give the folder's owner to", staged_);
    }
  }
  if (::rename(staged_.c_str(), target_.c_str()) != 0) {
    const Status failed = ErrnoFailure("put the restored database at", target_);
    if (!kept.empty()) {
      for (const char* suffix : {"-wal", "-shm"}) ::rename((kept + suffix).c_str(), (target_ + suffix).c_str());
      ::unlink(kept.c_str());
    }
    return failed;
  }
  committed_ = true;
  KW_RETURN_IF_ERROR(SyncPath(Folder(target_), O_RDONLY | O_DIRECTORY));
  return kept;
}

}  // namespace keywarden::sql
