#include "berth/util/jwt.h"

#include <gtest/gtest.h>

#include <limits>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"

namespace berth::jwt {
namespace {

// RSA generation costs tens of milliseconds; share one key per test binary.
const PrivateKey& RsaKey() {
  static const PrivateKey key = PrivateKey::GenerateRsa(2048);
  return key;
}

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return std::to_string(int(e.code())) + ": " + e.what();
  }
  return "no error";
}

std::string Openssl(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = cwd;
  ProcessResult result = RunProcess(argv, options);
  EXPECT_EQ(result.exit_code, 0) << result.stderr_data;
  return result.stdout_data;
}

TEST(JwtTest, SignsAndVerifiesEveryAlgorithm) {
  nlohmann::json claims = {{"iss", "a"}, {"n", 1}};
  for (Algorithm algorithm : AsymmetricAlgorithms()) {
    std::string name = AlgorithmName(algorithm);
    PrivateKey key = name[0] == 'E' ? PrivateKey::GenerateEc(algorithm) : RsaKey();
    std::string token = Sign({{"kid", "a/1"}}, claims, key, algorithm);
    DecodedToken decoded = Decode(token);
    EXPECT_EQ(decoded.header["alg"], name);
    EXPECT_EQ(decoded.header["typ"], "JWT");
    EXPECT_EQ(decoded.header["kid"], "a/1");
    EXPECT_EQ(decoded.claims, claims);
    EXPECT_NO_THROW(VerifySignature(decoded, key.Public())) << name;
  }
}

TEST(JwtTest, OpensslAgreesWithRs256Signatures) {
  TempDir dir;
  WriteFileAtomic(dir.path() / "rsa.pub", RsaKey().Public().Pem());
  std::string token = Sign({}, {{"iss", "x"}}, RsaKey(), Algorithm::kRS256);
  DecodedToken decoded = Decode(token);
  WriteFileAtomic(dir.path() / "input", decoded.signing_input);
  WriteFileAtomic(dir.path() / "sig", decoded.signature);
  EXPECT_EQ(Openssl({"dgst", "-sha256", "-verify", "rsa.pub", "-signature", "sig", "input"}, dir.path()), "Verified OK\n");

  // And the other way: openssl signs, berth verifies.
  Openssl({"ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"}, dir.path());
  PrivateKey ec = PrivateKey::FromPem(ReadFile(dir.path() / "ec.pem"), "ec.pem");
  std::string input = Base64UrlEncode(R"({"alg":"RS256"})") + "." + Base64UrlEncode(R"({"iss":"x"})");
  WriteFileAtomic(dir.path() / "rsa.key", RsaKey().Pkcs8Pem().Reveal(), 0600);
  WriteFileAtomic(dir.path() / "input2", input);
  Openssl({"dgst", "-sha256", "-sign", "rsa.key", "-out", "sig2", "input2"}, dir.path());
  DecodedToken from_openssl = Decode(input + "." + Base64UrlEncode(ReadFile(dir.path() / "sig2")));
  EXPECT_NO_THROW(VerifySignature(from_openssl, RsaKey().Public()));
  EXPECT_EQ(ec.DefaultAlgorithm(), Algorithm::kES256);
}

TEST(JwtTest, RejectsTamperingWrongKeysAndForbiddenAlgorithms) {
  std::string token = Sign({}, {{"sub", "alice"}}, RsaKey(), Algorithm::kRS256);
  std::string tampered = Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." + Base64UrlEncode(R"({"sub":"mallory"})") +
                         token.substr(token.rfind('.'));
  EXPECT_EQ(ErrorOf([&] { VerifySignature(Decode(tampered), RsaKey().Public()); }),
            "5: the signature does not verify with the public key");
  PrivateKey other = PrivateKey::GenerateRsa(2048);
  EXPECT_EQ(ErrorOf([&] { VerifySignature(Decode(token), other.Public()); }), "5: the signature does not verify with the public key");

  std::string hs = Base64UrlEncode(R"({"alg":"HS256"})") + "." + Base64UrlEncode("{}") + "." + Base64UrlEncode("sig");
  EXPECT_EQ(ErrorOf([&] { VerifySignature(Decode(hs), RsaKey().Public()); }),
            "5: algorithm 'HS256' is not allowed (allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512)");
  std::string none = Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode("{}") + ".AA";
  EXPECT_EQ(ErrorOf([&] { VerifySignature(Decode(none), RsaKey().Public()); }).substr(0, 37), "5: algorithm 'none' is not allowed (a");

  PrivateKey ec = PrivateKey::GenerateEc(Algorithm::kES256);
  std::string es = Sign({}, nlohmann::json::object(), ec, Algorithm::kES256);
  EXPECT_EQ(ErrorOf([&] { VerifySignature(Decode(es), RsaKey().Public()); }),
            "5: the token says ES256 but the public key is an RSA 2048-bit key");
  const Algorithm only_rs[] = {Algorithm::kRS256};
  EXPECT_EQ(ErrorOf([&] { VerifySignature(Decode(es), ec.Public(), only_rs); }), "5: algorithm 'ES256' is not allowed (allowed: RS256)");
  EXPECT_EQ(ErrorOf([&] { Sign({}, nlohmann::json::object(), ec, Algorithm::kRS256); }), "3: cannot sign RS256 with an EC prime256v1 key");
  PrivateKey small = PrivateKey::GenerateRsa(1024);
  EXPECT_EQ(ErrorOf([&] { Sign({}, nlohmann::json::array(), RsaKey(), Algorithm::kRS256); }), "3: JWT claims must be a JSON object");
  EXPECT_EQ(ErrorOf([&] { Sign({}, nlohmann::json::object(), small, Algorithm::kRS256); }), "3: cannot sign RS256 with an RSA 1024-bit key");
}

TEST(JwtTest, DecodeNamesWhatIsMalformed) {
  EXPECT_EQ(ErrorOf([] { Decode("abc.def"); }), "5: malformed JWT: expected three dot-separated parts");
  EXPECT_EQ(ErrorOf([] { Decode("a.b.c.d"); }), "5: malformed JWT: expected three dot-separated parts");
  EXPECT_EQ(ErrorOf([] { Decode("e+J.e30.AA"); }), "5: malformed JWT: the header is not base64url");
  EXPECT_EQ(ErrorOf([&] { Decode(Base64UrlEncode("[1]") + ".e30.AA"); }), "5: malformed JWT: the header is not a JSON object");
  EXPECT_EQ(ErrorOf([&] { Decode("e30." + Base64UrlEncode("not json") + ".AA"); }), "5: malformed JWT: the claims is not a JSON object");
  EXPECT_EQ(ErrorOf([] { Decode("e30.e30."); }), "5: malformed JWT: the signature is missing or not base64url");
}

TEST(JwtTest, LoadsKeysInEveryFormOpensslWrites) {
  TempDir dir;
  Openssl({"genrsa", "-traditional", "-out", "pkcs1.pem", "2048"}, dir.path());
  Openssl({"pkcs8", "-topk8", "-nocrypt", "-in", "pkcs1.pem", "-out", "pkcs8.pem"}, dir.path());
  Openssl({"rsa", "-in", "pkcs1.pem", "-RSAPublicKey_out", "-out", "rsapub.pem"}, dir.path());
  Openssl({"rsa", "-in", "pkcs1.pem", "-pubout", "-out", "spki.pem"}, dir.path());
  Openssl({"req", "-new", "-x509", "-key", "pkcs1.pem", "-subj", "/CN=t", "-days", "1", "-out", "cert.pem"}, dir.path());
  Openssl({"ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "sec1.pem"}, dir.path());
  Openssl({"pkcs8", "-topk8", "-passout", "pass:pw", "-in", "pkcs1.pem", "-out", "encrypted.pem"}, dir.path());

  PrivateKey pkcs1 = PrivateKey::FromPem(ReadFile(dir.path() / "pkcs1.pem"), "pkcs1.pem");
  PrivateKey pkcs8 = PrivateKey::FromPem(ReadFile(dir.path() / "pkcs8.pem"), "pkcs8.pem");
  EXPECT_EQ(pkcs1.Pkcs8Pem().Reveal(), ReadFile(dir.path() / "pkcs8.pem"));
  std::string spki = ReadFile(dir.path() / "spki.pem");
  EXPECT_EQ(pkcs8.Public().Pem(), spki);
  EXPECT_EQ(PublicKey::FromPem(ReadFile(dir.path() / "rsapub.pem"), "rsapub.pem").Pem(), spki);
  EXPECT_EQ(PublicKey::FromPem(ReadFile(dir.path() / "cert.pem"), "cert.pem").Pem(), spki);
  PrivateKey sec1 = PrivateKey::FromPem(ReadFile(dir.path() / "sec1.pem"), "sec1.pem");
  EXPECT_EQ(sec1.DefaultAlgorithm(), Algorithm::kES384);

  EXPECT_EQ(ErrorOf([&] { PrivateKey::FromPem(ReadFile(dir.path() / "encrypted.pem"), "encrypted.pem"); }),
            "3: encrypted.pem: the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)");
  EXPECT_EQ(ErrorOf([&] { PrivateKey::FromPem(spki, "k.pem"); }),
            "3: k.pem: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  EXPECT_EQ(ErrorOf([&] { PublicKey::FromPem("hello", "p.pem"); }),
            "3: p.pem: not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
  std::string broken = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  EXPECT_EQ(ErrorOf([&] { PrivateKey::FromPem(broken, "b.pem"); }).substr(0, 42), "3: b.pem: cannot read the private key: err");
}

TEST(JwtTest, DataUrisRoundTripAndEscapedPemLoads) {
  SecretValue uri = MakePkcs8DataUri(RsaKey(), {{"kid", "micros/svc/key+1"}});
  EXPECT_EQ(uri.Reveal().rfind("data:application/pkcs8;kid=micros%2Fsvc%2Fkey%2B1;base64,MII", 0), 0u);
  Pkcs8DataUri parsed = ParsePkcs8DataUri(uri.Reveal(), "ASAP_PRIVATE_KEY");
  EXPECT_EQ(parsed.Parameter("kid"), "micros/svc/key+1");
  EXPECT_EQ(parsed.der.Reveal(), RsaKey().Pkcs8Der().Reveal());
  PrivateKey loaded = LoadPrivateKey(uri.Reveal(), "ASAP_PRIVATE_KEY");
  EXPECT_EQ(loaded.Public().Pem(), RsaKey().Public().Pem());

  std::string pem = RsaKey().Pkcs8Pem().Reveal();
  std::string escaped;
  for (char c : pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  EXPECT_EQ(LoadPrivateKey("  " + escaped + "  ", "env").Public().Pem(), RsaKey().Public().Pem());

  EXPECT_EQ(ErrorOf([] { ParsePkcs8DataUri("data:text/plain;base64,AA", "X"); }),
            "3: X: not a PKCS#8 data URI (expected data:application/pkcs8;kid=...;base64,...)");
  EXPECT_EQ(ErrorOf([] { ParsePkcs8DataUri("data:application/pkcs8;kid=a,AAAA", "X"); }),
            "3: X: the data URI is not base64 (expected data:application/pkcs8;kid=...;base64,...)");
  EXPECT_EQ(ErrorOf([] { ParsePkcs8DataUri("data:application/pkcs8;kid=a%2;base64,AAAA", "X"); }),
            "3: X: the data URI parameter 'kid' is badly percent-encoded (expected data:application/pkcs8;kid=...;base64,...)");
  EXPECT_EQ(ErrorOf([] { LoadPrivateKey("data:application/pkcs8;kid=a;base64,AAAA", "X"); }).substr(0, 37),
            "3: X: not a PKCS#8 private key: error");
  EXPECT_EQ(ErrorOf([] { LoadPrivateKey("just-some-text", "X"); }), "3: X: neither a PEM private key nor a data:application/pkcs8 URI");
}

TEST(JwtTest, PercentEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("a/b+c d.e_f-g"), "a%2Fb%2Bc%20d.e_f-g");
  EXPECT_EQ(PercentDecode("a%2Fb%2bc"), "a/b+c");
  EXPECT_EQ(PercentDecode("a%2"), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz"), std::nullopt);
}

TEST(JwtTest, ClaimRulesEachHaveTheirOwnMessage) {
  const int64_t now = 1700000000;
  ClaimRules rules{.now = now, .leeway = 30, .required = {"iss", "exp"}, .audience = "svc", .max_lifetime = 3600};
  nlohmann::json good = {{"iss", "a"}, {"aud", "svc"}, {"iat", now}, {"nbf", now}, {"exp", now + 60}};
  EXPECT_NO_THROW(CheckClaims(good, rules));
  auto with = [&](const std::string& name, nlohmann::json value) {
    nlohmann::json claims = good;
    if (value.is_null()) {
      claims.erase(name);
    } else {
      claims[name] = value;
    }
    return ErrorOf([&] { CheckClaims(claims, rules); });
  };
  EXPECT_EQ(with("iss", nullptr), "5: claim 'iss' is missing");
  EXPECT_EQ(with("exp", "soon"), "5: claim 'exp' is not a number");
  EXPECT_EQ(with("exp", now - 10), "5: exp (2023-11-14T22:13:10Z) is before iat (2023-11-14T22:13:20Z)");
  EXPECT_EQ(with("exp", now + 7200), "5: lifetime 7200 s (exp - iat) is over the maximum of 3600 s");
  EXPECT_EQ(with("aud", "other"), "5: audience \"other\" does not include 'svc'");
  EXPECT_EQ(with("aud", nlohmann::json::array({"x", "svc"})), "no error");
  EXPECT_EQ(with("aud", nullptr), "5: audience none does not include 'svc'");
  EXPECT_EQ(with("nbf", now + 100), "5: nbf (2023-11-14T22:15:00Z) is after exp (2023-11-14T22:14:20Z)");

  nlohmann::json expired = {{"iss", "a"}, {"aud", "svc"}, {"iat", now - 200}, {"exp", now - 100}};
  EXPECT_EQ(ErrorOf([&] { CheckClaims(expired, rules); }), "5: the token expired at 2023-11-14T22:11:40Z (100 s ago)");
  expired["exp"] = now - 20;  // Inside the leeway.
  EXPECT_EQ(ErrorOf([&] { CheckClaims(expired, rules); }), "no error");
  nlohmann::json early = {{"iss", "a"}, {"aud", "svc"}, {"iat", now}, {"nbf", now + 100}, {"exp", now + 200}};
  EXPECT_EQ(ErrorOf([&] { CheckClaims(early, rules); }), "5: the token is not valid before 2023-11-14T22:15:00Z");
  nlohmann::json future = {{"iss", "a"}, {"aud", "svc"}, {"iat", now + 100}, {"exp", now + 200}};
  EXPECT_EQ(ErrorOf([&] { CheckClaims(future, rules); }), "5: the token was issued in the future (iat 2023-11-14T22:15:00Z)");
}

// exp - iat used to be computed on whatever int64 the claims held: an iat
// near INT64_MIN made it wrap to a negative lifetime, so a token valid until
// the year 3000 passed a 3600 s maximum.
TEST(JwtTest, HugeAndNegativeDatesAreRefusedNotWrappedAround) {
  const int64_t now = 1700000000;
  const int64_t year_3000 = 32503680000;
  ClaimRules rules{.now = now, .leeway = 30, .required = {"iss", "exp"}, .max_lifetime = 3600};
  auto check = [&](nlohmann::json iat, nlohmann::json exp) {
    nlohmann::json claims = {{"iss", "a"}, {"iat", iat}, {"exp", exp}};
    return ErrorOf([&] { CheckClaims(claims, rules); });
  };
  // The token the review made: exp - iat wrapped to a negative lifetime and it verified.
  EXPECT_EQ(check(std::numeric_limits<int64_t>::min() + 1000000, year_3000),
            "5: claim 'iat' (-9223372036853775808) is not a date between 1970 and 9999");
  EXPECT_EQ(check(std::numeric_limits<int64_t>::min() + 1, year_3000),
            "5: claim 'iat' (-9223372036854775807) is not a date between 1970 and 9999");
  EXPECT_EQ(check(now, year_3000), "5: lifetime 30803680000 s (exp - iat) is over the maximum of 3600 s");
  EXPECT_EQ(check(now, std::numeric_limits<int64_t>::max()),
            "5: claim 'exp' (9223372036854775807) is not a date between 1970 and 9999");
  EXPECT_EQ(check(now, std::numeric_limits<uint64_t>::max()),
            "5: claim 'exp' (18446744073709551615) is not a date between 1970 and 9999");
  EXPECT_EQ(check(now, 1e300), "5: claim 'exp' (1e+300) is not a date between 1970 and 9999");
  EXPECT_EQ(check(-1.5, now + 60), "5: claim 'iat' (-1.5) is not a date between 1970 and 9999");
  EXPECT_EQ(check(double(now), double(now + 60)), "no error");
}

TEST(JwtTest, TokenIdsAreFreshHex) {
  std::string a = NewTokenId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, NewTokenId());
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace berth::jwt
