#include "asap_commands.h"

namespace berth::asap {

void RegisterCommands(Registrar& registrar) {
  registrar.AddCommand(KeygenSpec(), RunKeygen);
  registrar.AddCommand(TokenSpec(), RunToken);
  registrar.AddCommand(VerifySpec(), RunVerify);
  registrar.AddCommand(CurlSpec(), RunCurl);
  registrar.AddCommand(PublishSpec(), RunPublish);
}

}  // namespace berth::asap
