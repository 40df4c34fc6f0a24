#include "target/target.h"

namespace colophon {

void Exchange::expect(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  slots_.try_emplace(key);
}

void Exchange::abandon(const std::string& key) { put(key, nullptr, typeid(void)); }

bool Exchange::expected(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return slots_.count(key) > 0;
}

void Exchange::put(const std::string& key, std::shared_ptr<const void> value,
                   std::type_index type) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[key];
    if (slot.done) return;  // the first word stands: a later abandon changes nothing
    slot.done = true;
    slot.value = std::move(value);
    slot.type = type;
  }
  changed_.notify_all();
}

std::pair<std::shared_ptr<const void>, std::type_index> Exchange::get(const std::string& key) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return {nullptr, typeid(void)};
  changed_.wait(lock, [&] { return it->second.done; });
  return {it->second.value, it->second.type};
}

void Target::configure(const ConfigTable* table, Book& book, Diagnostics& diag) {
  (void)book;
  if (table == nullptr) return;
  for (const ConfigEntry& e : table->entries)
    diag.warning(table->file, e.pos, "unknown key '" + e.key + "' in [output." + name() + "]",
                 "[output." + name() + "] takes no keys; remove it");
}

}  // namespace colophon
