// The admin API under /_stratus/ on the service port: health now, and later invocations,
// logs and clock control. Threading: loop thread only.
#pragma once

namespace stratus {
class Emulator;
namespace http {
class Router;
}

namespace admin {

// Adds the admin routes to `router`; they read `emulator`, which must outlive the router.
void RegisterAdminRoutes(http::Router& router, Emulator& emulator);

}  // namespace admin
}  // namespace stratus
