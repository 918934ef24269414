#include "service/service_app.h"

namespace xecutor {

ServiceApp::ServiceApp(ServiceConfig config) : config_(std::move(config)) {}

WebhookReply ServiceApp::handle(const WebhookRequest& request) {
  WebhookReply r;
  r.status = 503;
  r.body = R"({"error":"webhook not implemented yet"})";
  r.outcome = "not_implemented";
  r.client = request.peer;
  return r;
}

}  // namespace xecutor
