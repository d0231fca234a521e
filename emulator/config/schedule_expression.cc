// Schedule expressions as EventBridge accepts them: rate(N unit) and 6-field cron(...).
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/config/config_internal.h"

namespace stratus::config {

namespace {

Status CheckRate(std::string_view body) {
  size_t space = body.find(' ');
  std::string_view number = body.substr(0, space);
  bool digits = !number.empty() && number.size() <= 9 && number[0] != '0';
  for (char c : number) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (space == std::string_view::npos || !digits) {
    return Status::InvalidArgument(
        "rate needs a positive whole number and a unit, like 'rate(5 minutes)'");
  }
  std::string_view unit = body.substr(space + 1);
  bool one = number == "1";
  for (std::string_view singular : {"minute", "hour", "day"}) {
    std::string plural = std::string(singular) + "s";
    if (unit == singular && !one) {
      return Status::InvalidArgument("use '" + plural + "' when the value is not 1");
    }
    if (unit == plural && one) {
      return Status::InvalidArgument("use '" + std::string(singular) + "' when the value is 1");
    }
    if (unit == singular || unit == plural) return Status::Ok();
  }
  return Status::InvalidArgument("the unit must be minutes, hours or days, got '" +
                                 std::string(unit) + "'");
}

Status CheckCron(std::string_view body) {
  std::istringstream in{std::string(body)};
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() != 6) {
    return Status::InvalidArgument(
        "cron needs 6 fields (minutes hours day-of-month month day-of-week year), got " +
        std::to_string(fields.size()));
  }
  if ((fields[2] == "?") == (fields[4] == "?")) {
    return Status::InvalidArgument("exactly one of day-of-month and day-of-week must be '?'");
  }
  return Status::Ok();
}

}  // namespace

Status CheckScheduleExpression(std::string_view expression) {
  if (expression.ends_with(")")) {
    if (expression.starts_with("rate(")) return CheckRate(expression.substr(5, expression.size() - 6));
    if (expression.starts_with("cron(")) return CheckCron(expression.substr(5, expression.size() - 6));
  }
  return Status::InvalidArgument("a schedule must be 'rate(...)' or 'cron(...)'");
}

}  // namespace stratus::config
