#pragma once
// The webhook flow: authenticate -> parse -> dedup -> quote -> tolerance -> execute.
#include "service/config.h"
#include "service/webhook_types.h"

namespace xecutor {

class ServiceApp {
 public:
  explicit ServiceApp(ServiceConfig config);
  WebhookReply handle(const WebhookRequest& request);

 private:
  ServiceConfig config_;
};

}  // namespace xecutor
