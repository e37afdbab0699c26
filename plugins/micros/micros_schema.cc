#include "micros_schema.h"

namespace berth::micros {
namespace {

// Shared by both kinds: the Micros service and environment, and the atlas
// CLI berth runs (a program, so a project file may not choose it before the
// user trusts the project).
Setting Service() { return Setting::Text("The Micros service (default: berth.yaml's service)"); }
Setting Env() { return Setting::Text("The Micros environment (default: the berth environment's name)"); }
Setting Atlas() { return Setting::Text("The atlas CLI to run (default: atlas on PATH)").Program(); }
Setting AtlasTimeout() { return Setting::Duration("How long one atlas call may take").AtLeast(1); }
Setting CreateService() { return Setting::Boolean("Create the Micros service when it does not exist yet"); }

}  // namespace

SettingsSchema TargetSchema() {
  return SettingsSchema{
      {"service", Service()},
      {"env", Env()},
      {"atlas", Atlas()},
      {"atlas_timeout", AtlasTimeout()},
      {"create_service", CreateService()},
      {"service_discovery", Setting::Boolean("Register the service in service discovery")},
      {"descriptor", Setting::Path("The service descriptor template (default: service-descriptor.tmpl.yml if present)")},
      {"health_path", Setting::Text("The path Micros polls for health")},
      {"container", Setting::Text("The container's name in the descriptor")},
      {"ports", Setting::TextList("Container ports: 8080 or \"8080:8080\"")},
      {"environment", Setting::TextMap("Plain environment variables of the service")},
      {"secrets", Setting::Value("Stash keys as variables: a list of keys, or VARIABLE: KEY")},
      {"scaling", Setting::Group(SettingsSchema{{"min", Setting::WholeNumber("").AtLeast(0).AtMost(1000)},
                                                {"max", Setting::WholeNumber("").AtLeast(0).AtMost(1000)},
                                                {"instance", Setting::Text("The instance type")}},
                                 "Instances: {min, max, instance}")},
      {"description", Setting::Text("The service's description in the descriptor")},
      {"organization", Setting::Text("The owning organization")},
      {"notifications_email", Setting::Text("Where Micros sends notifications")},
      {"source_url", Setting::Text("The service's source repository")},
  };
}

SettingsSchema StashSchema() {
  return SettingsSchema{
      {"service", Service()},
      {"env", Env()},
      {"atlas", Atlas()},
      {"atlas_timeout", AtlasTimeout()},
      {"create_service", CreateService()},
  };
}

}  // namespace berth::micros
