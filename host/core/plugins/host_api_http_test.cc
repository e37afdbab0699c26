// The host service "http.request", called as a plugin calls it (through the
// host's berth_host_api table), against a server the test starts on
// 127.0.0.1 (tests/peers/http/http_service_peer.py); and http::HostClient's
// JSON helpers over the same implementation.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/http/host_client.h"
#include "berth/http/service.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "core/plugins/plugin_manager.h"
#include "test_peer.h"

namespace berth::host {
namespace {

using berth::testing::TestPeer;

constexpr char kPeer[] = "tests/peers/http/http_service_peer.py";

struct Call {
  int32_t status = 0;
  nlohmann::json reply;
  std::string error;
};

class HostHttpServiceTest : public ::testing::Test {
 protected:
  HostHttpServiceTest() : manager_({}), server_(kPeer, {}) {}

  std::string Url(const std::string& path) const { return server_.ready()["url"].get<std::string>() + path; }

  // berth_host_api.call("http.request") exactly as a plugin makes it.
  Call Request(const nlohmann::json& request) {
    const berth_host_api* table = manager_.host_api().table();
    std::string text = request.dump();
    berth_buffer reply{};
    berth_buffer error{};
    Call call;
    call.status = table->call(table->host, "http.request", text.data(), text.size(), &reply, &error);
    std::string answer = abi::Take(reply);
    call.error = abi::Take(error);
    if (!answer.empty()) call.reply = nlohmann::json::parse(answer);
    return call;
  }

  int Count(const std::string& key) {
    return nlohmann::json::parse(Request({{"url", Url("/count/" + key)}}).reply["body"].get<std::string>())["count"];
  }

  PluginManager manager_;
  TestPeer server_;
};

TEST_F(HostHttpServiceTest, AnyStatusIsAReplyWithHeadersAndBody) {
  Call call = Request({{"method", "POST"},
                       {"url", Url("/echo")},
                       {"headers", {{"Content-Type", "text/plain"}, {"X-Test", "yes"}}},
                       {"body", "hello"}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(call.reply["status"], 200);
  nlohmann::json echo = nlohmann::json::parse(call.reply["body"].get<std::string>());
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["body"], "hello");
  EXPECT_EQ(echo["headers"]["X-Test"], "yes");
  EXPECT_EQ(call.reply["effective_url"], Url("/echo"));
  EXPECT_EQ(call.reply["attempts"], 1);
  bool has_content_type = false;
  for (const auto& header : call.reply["headers"]) has_content_type |= header[0] == "content-type";
  EXPECT_TRUE(has_content_type) << call.reply["headers"].dump();

  call = Request({{"method", "DELETE"}, {"url", Url("/status/404")}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(call.reply["status"], 404);
}

TEST_F(HostHttpServiceTest, BinaryBodiesTravelAsBase64) {
  Call call = Request({{"url", Url("/binary")}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_FALSE(call.reply.contains("body"));
  EXPECT_EQ(call.reply["body_base64"], "//4AgEE=");

  call = Request({{"method", "PUT"}, {"url", Url("/echo")}, {"body_base64", "aGk="}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(nlohmann::json::parse(call.reply["body"].get<std::string>())["body"], "hi");
}

TEST_F(HostHttpServiceTest, ATimeoutIsAFailureNamingMethodAndUrlNeverAnInterruption) {
  auto started = std::chrono::steady_clock::now();
  Call call = Request({{"url", Url("/delay/5000?access_token=query-secret-value")}, {"timeout_ms", 300}});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(call.status, BERTH_STATUS_FAILURE);
  EXPECT_EQ(call.error, "GET " + Url("/delay/5000") + ": timed out after 0.3 s");
  EXPECT_EQ(call.error.find("interrupted"), std::string::npos);
  EXPECT_EQ(call.error.find("query-secret-value"), std::string::npos);

  // Tried again, and said so.
  call = Request({{"url", Url("/delay/5000")}, {"timeout_ms", 200}, {"retry", {{"attempts", 2}, {"initial_backoff_ms", 10}}}});
  EXPECT_EQ(call.status, BERTH_STATUS_FAILURE);
  EXPECT_EQ(call.error, "GET " + Url("/delay/5000") + ": timed out after 0.2 s (tried 2 times)");
}

TEST_F(HostHttpServiceTest, ARefusedConnectionNamesTheCall) {
  // A port nobody listens on: the server's, once it is gone.
  std::string url;
  {
    TestPeer gone(kPeer, {});
    url = gone.ready()["url"].get<std::string>() + "/echo";
  }
  Call call = Request({{"method", "PATCH"}, {"url", url}, {"body", "{}"}});
  EXPECT_EQ(call.status, BERTH_STATUS_FAILURE);
  EXPECT_EQ(call.error.rfind("PATCH " + url + ": ", 0), 0u) << call.error;
}

TEST_F(HostHttpServiceTest, RetriesHonourRetryAfter) {
  auto started = std::chrono::steady_clock::now();
  Call call = Request({{"url", Url("/flaky/a?fail=2&retry_after=1")},
                       {"retry", {{"attempts", 4}, {"initial_backoff_ms", 10}, {"max_backoff_ms", 20}}}});
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(call.reply["status"], 200);
  EXPECT_EQ(call.reply["attempts"], 3);
  EXPECT_EQ(Count("a"), 3);
  // Two waits of the server's Retry-After (1 s), not the 10 ms backoff.
  EXPECT_GE(took, std::chrono::milliseconds(1900));

  // Out of attempts: the last answer is the reply.
  call = Request({{"url", Url("/flaky/b?fail=5&retry_after=0")}, {"retry", {{"attempts", 2}, {"initial_backoff_ms", 10}}}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(call.reply["status"], 503);
  EXPECT_EQ(Count("b"), 2);

  // Statuses the plugin did not ask to retry are answered at once.
  call = Request({{"url", Url("/flaky/c?fail=5&retry_after=0")}, {"retry", {{"attempts", 3}, {"statuses", {500}}}}});
  EXPECT_EQ(call.reply["status"], 503);
  EXPECT_EQ(Count("c"), 1);
}

TEST_F(HostHttpServiceTest, AMalformedRequestIsInvalidInput) {
  EXPECT_EQ(Request({{"url", "ftp://127.0.0.1/x"}}).status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(Request({{"url", Url("/echo")}, {"method", "get"}}).status, BERTH_STATUS_INVALID_INPUT);
  Call call = Request({{"url", Url("/echo")}, {"headers", {{"X-Evil", "a\r\nInjected: yes"}}}});
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(call.error, "http.request: header 'X-Evil' has a malformed name or value");
}

TEST_F(HostHttpServiceTest, CancellationIsAnInterruption) {
  std::atomic<bool> cancel{false};
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  try {
    http::ServeHttpRequest({{"url", Url("/delay/5000")}, {"timeout_ms", 10000}}, &cancel);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInterrupted);
    EXPECT_EQ(std::string(error.what()), "GET " + Url("/delay/5000") + ": interrupted");
  }
  later.join();
}

TEST_F(HostHttpServiceTest, NoHeaderIsLoggedEvenAtTraceLevel) {
  const std::string token = "tr4ce-level-bearer-token-value";
  log::Level level = log::GetLevel();
  log::SetLevel(log::Level::kTrace);
  ::testing::internal::CaptureStderr();
  Request({{"url", Url("/echo")}, {"headers", {{"Authorization", "Bearer " + token}, {"X-Api-Token", token}}}});
  Request({{"url", Url("/flaky/log?fail=1&retry_after=0")},
           {"headers", {{"Authorization", "Bearer " + token}}},
           {"retry", {{"attempts", 2}, {"initial_backoff_ms", 1}}}});
  Request({{"url", Url("/delay/3000")}, {"timeout_ms", 100}, {"headers", {{"Authorization", "Bearer " + token}}}});
  std::string logged = ::testing::internal::GetCapturedStderr();
  log::SetLevel(level);
  EXPECT_NE(logged.find("GET " + Url("/echo")), std::string::npos) << logged;  // The trace is on...
  EXPECT_EQ(logged.find(token), std::string::npos) << logged;                 // ...and says nothing of the headers.
  EXPECT_EQ(logged.find("uthorization"), std::string::npos) << logged;
}

// A server certificate the test makes with openssl, trusted only through
// the request's in-memory ca_pem.
class HostHttpsServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("berth-http-tls");
    ProcessResult made = RunProcess({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                                     "/CN=berth http test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                     "-keyout", (dir_->path() / "key.pem").string(), "-out",
                                     (dir_->path() / "cert.pem").string()});
    ASSERT_EQ(made.exit_code, 0) << made.stderr_data;
    ProcessResult other = RunProcess({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                                      "/CN=someone else", "-keyout", (dir_->path() / "other.key").string(), "-out",
                                      (dir_->path() / "other.pem").string()});
    ASSERT_EQ(other.exit_code, 0) << other.stderr_data;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  HostHttpsServiceTest()
      : server_(kPeer, {"--cert", (dir_->path() / "cert.pem").string(), "--key", (dir_->path() / "key.pem").string()}) {}

  std::string Url(const std::string& path) const { return server_.ready()["url"].get<std::string>() + path; }
  static std::string Pem(const char* name) { return ReadFile(dir_->path() / name); }

  static TempDir* dir_;
  TestPeer server_;
};

TempDir* HostHttpsServiceTest::dir_ = nullptr;

TEST_F(HostHttpsServiceTest, TrustsAnInMemoryCaPemAndNothingElse) {
  nlohmann::json reply = http::ServeHttpRequest({{"url", Url("/echo")}, {"tls", {{"ca_pem", Pem("cert.pem")}}}});
  EXPECT_EQ(reply["status"], 200);

  for (const nlohmann::json& tls : {nlohmann::json::object(), nlohmann::json{{"ca_pem", Pem("other.pem")}}}) {
    try {
      http::ServeHttpRequest({{"url", Url("/echo")}, {"tls", tls}});
      ADD_FAILURE() << "an untrusted server was accepted with " << tls.dump();
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kFailure);
      std::string message = error.what();
      EXPECT_EQ(message.rfind("GET " + Url("/echo") + ": ", 0), 0u) << message;
      EXPECT_NE(message.find("certificate"), std::string::npos) << message;
    }
  }

  // The certificate's other name, while connecting to the address.
  reply = http::ServeHttpRequest({{"url", Url("/echo")}, {"tls", {{"ca_pem", Pem("cert.pem")}, {"server_name", "localhost"}}}});
  EXPECT_EQ(reply["status"], 200);
  reply = http::ServeHttpRequest({{"url", Url("/echo")}, {"tls", {{"insecure_skip_verify", true}}}});
  EXPECT_EQ(reply["status"], 200);
}

TEST_F(HostHttpsServiceTest, SendJsonMapsStatusesToExitCodes) {
  http::HostClient client;
  http::HostRequest request;
  request.tls.ca_pem = Pem("cert.pem");
  request.method = "POST";
  request.url = Url("/echo?signature=query-secret-value");
  nlohmann::json echo = client.SendJson(request, {{"name", "web"}});
  EXPECT_EQ(echo["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(echo["headers"]["Accept"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(echo["body"].get<std::string>())["name"], "web");

  struct Case {
    int status;
    ErrorCode code;
  };
  for (Case c : {Case{401, ErrorCode::kAuth}, Case{403, ErrorCode::kAuth}, Case{404, ErrorCode::kNotFound},
                 Case{422, ErrorCode::kInvalidInput}, Case{409, ErrorCode::kInvalidInput}, Case{418, ErrorCode::kFailure},
                 Case{500, ErrorCode::kFailure}}) {
    request.method = "GET";
    request.url = Url("/status/" + std::to_string(c.status) + "?token=query-secret-value");
    try {
      client.SendJson(request);
      ADD_FAILURE() << "HTTP " << c.status << " was not an error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), c.code) << c.status;
      std::string status = std::to_string(c.status);
      EXPECT_EQ(std::string(error.what()),
                "GET " + Url("/status/" + status) + ": status " + status + " from the test server (HTTP " + status + ")");
    }
  }
}

TEST(HostHttpHelpersTest, UrlsForMessagesLoseCredentialsAndQueries) {
  EXPECT_EQ(http::UrlForMessages("https://user:pw@example.com:8443/a/b?token=x#f"), "https://example.com:8443/a/b");
  EXPECT_EQ(http::UrlForMessages("http://127.0.0.1/x@y"), "http://127.0.0.1/x@y");
  EXPECT_TRUE(http::IsValidUtf8("h\xc3\xa9llo"));
  EXPECT_FALSE(http::IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(http::IsValidUtf8("\xc0\xaf"));  // Overlong.
  http::HostResponse response;
  response.status = 400;
  response.body = R"({"error": {"code": 400, "message": "bad\nthing", "status": "INVALID_ARGUMENT"}})";
  EXPECT_EQ(http::ShortErrorText(response), "bad thing");
  response.body = R"({"error": "invalid_grant", "error_description": "expired"})";
  EXPECT_EQ(http::ShortErrorText(response), "invalid_grant: expired");
  response.body = "<html>\n<body>oops</body>";
  EXPECT_EQ(http::ShortErrorText(response), "<html>");
}

}  // namespace
}  // namespace berth::host
