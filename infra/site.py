"""The terminals (`terminals/`) as a static site, and the login they sign in with.

* **The site**: a private S3 bucket read only by one CloudFront distribution (origin access
  control, SigV4); the files live under the key prefix `terminals/`, so that the pages' absolute
  `/terminals/config.json` and their relative links are the same as on the local stack. A
  CloudFront function serves a folder's `index.html` (S3's REST endpoint has no index documents).
* **The login**, when the operator brings no issuer (`JwtIssuer` empty): a Cognito user pool, its
  hosted UI domain and a public app client (authorization code + PKCE, no secret). Its ID token
  carries what `chalicelib/auth/principal.py` reads: the role as a group (`cognito:groups`), the
  merchant or supplier as a custom attribute (`custom:merchant_id`, `custom:supplier_id`), which
  only an administrator may set: the client may not write them.

`python -m infra.site_config` turns the stack's outputs into the site's `config.json`.
"""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import Role

SITE_PREFIX = "terminals"
"""The key prefix of the files in the bucket, and so the path of the site."""
CALLBACK_PAGE = f"/{SITE_PREFIX}/signed-in.html"
"""The one page the login sends the browser back to (`terminals/signed-in.html`): one registered
redirect URI, whichever terminal page the sign-in started from."""
SCOPES = ("openid", "profile")
ID_TOKEN_HOURS = 12
"""A shift: the terminals keep the ID token for the tab and sign in again after it expires (the API
refuses tokens living longer than 24 h, Cognito's own maximum)."""
CUSTOM_ATTRIBUTES = ("merchant_id", "supplier_id")
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"""CloudFront's managed cache policy `Managing-CachingOptimized`: it honours the files'
`Cache-Control` (deploy uploads them `no-cache`, so browsers revalidate)."""
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
"""CloudFront's managed response headers policy `Managed-SecurityHeadersPolicy` (HSTS, nosniff,
frame options, referrer policy)."""

SITE_ORIGIN = {"Fn::Sub": "https://${TerminalsDistribution.DomainName}"}
HOSTED_LOGIN = "https://${SignInDomain}.auth.${AWS::Region}.amazoncognito.com"

PARAMETERS: dict[str, Any] = {
    "SignInAuthorizeUrl": {"Type": "String", "Default": "", "AllowedPattern": "^(https://\\S+)?$",
                           "ConstraintDescription": "empty or an https URL",
                           "Description": "With JwtIssuer: the issuer's OAuth 2.0 authorization endpoint the "
                                          "terminals send the browser to (empty: the stack's own Cognito login)."},
    "SignInTokenUrl": {"Type": "String", "Default": "", "AllowedPattern": "^(https://\\S+)?$",
                       "ConstraintDescription": "empty or an https URL",
                       "Description": "With JwtIssuer: the issuer's token endpoint (it must allow CORS from the "
                                      "site: the terminals exchange the code in the browser)."},
    "SignInClientId": {"Type": "String", "Default": "",
                       "Description": "With JwtIssuer: the issuer's public client (authorization code + PKCE, no "
                                      "secret) registered with the redirect URI output SignInRedirectURL."},
}
CONDITIONS: dict[str, Any] = {
    "HasJwtIssuer": {"Fn::Not": [{"Fn::Equals": [{"Ref": "JwtIssuer"}, ""]}]},
    "CreatesUserPool": {"Fn::Equals": [{"Ref": "JwtIssuer"}, ""]},
    "HasJwtAudience": {"Fn::Not": [{"Fn::Equals": [{"Ref": "JwtAudience"}, ""]}]},
}

ISSUER = {"Fn::If": ["HasJwtIssuer", {"Ref": "JwtIssuer"}, {"Fn::Sub": "https://${SignInUserPool.ProviderURL}"}]}
"""The `iss` of the tokens the API accepts: the operator's issuer, else the stack's user pool."""
JWKS_URL = {"Fn::If": ["HasJwksUrl", {"Ref": "JwksUrl"}, {"Fn::If": [
    "HasJwtIssuer", {"Fn::Sub": "${JwtIssuer}/.well-known/jwks.json"},
    {"Fn::Sub": "https://${SignInUserPool.ProviderURL}/.well-known/jwks.json"}]}]}
AUDIENCE = {"Fn::If": ["HasJwtAudience", {"Ref": "JwtAudience"},
                       {"Fn::If": ["CreatesUserPool", {"Ref": "SignInClient"}, ""]}]}
"""The terminals send the ID token, whose `aud` is the client: the stack's own login checks it."""
CORS_ORIGINS = {"Fn::If": ["HasCorsOrigins", {"Fn::Sub": "https://${TerminalsDistribution.DomainName},${CorsOrigins}"},
                           SITE_ORIGIN]}
"""The site may always call the REST API; `CorsOrigins` adds more origins."""

INDEX_FUNCTION = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/" || uri === "") {
    return { statusCode: 302, statusDescription: "Found", headers: { location: { value: "/terminals/" } } };
  }
  if (uri.endsWith("/")) {
    request.uri = uri + "index.html";
  } else if (uri.split("/").pop().indexOf(".") === -1) {
    // A folder named without its slash: the pages' relative links need the slash.
    return { statusCode: 301, statusDescription: "Moved Permanently", headers: { location: { value: uri + "/" } } };
  }
  return request;
}
"""
"""A CloudFront function (viewer request): a folder's `index.html`, as the local stack serves it."""


def _groups() -> dict[str, Any]:
    return {f"SignIn{role.value.capitalize()}Group": {
        "Type": "AWS::Cognito::UserPoolGroup", "Condition": "CreatesUserPool",
        "Properties": {"UserPoolId": {"Ref": "SignInUserPool"}, "GroupName": role.value, "Precedence": n,
                       "Description": f"ontime {role.value}s: the role the API reads from cognito:groups"}}
        for n, role in enumerate(Role)}


RESOURCES: dict[str, Any] = {
    "TerminalsBucket": {
        "Type": "AWS::S3::Bucket",
        "Metadata": {"Why": "The terminals' files (deploy.sh uploads them with the stage's config.json): "
                            "private, read only by TerminalsDistribution through its origin access control."},
        "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        }},
    "TerminalsBucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "TerminalsBucket"},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "TerminalsDistributionReads", "Effect": "Allow",
             "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
             "Resource": {"Fn::Sub": f"${{TerminalsBucket.Arn}}/{SITE_PREFIX}/*"},
             "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
                 "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${TerminalsDistribution}")}}}},
            {"Sid": "HttpsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [{"Fn::GetAtt": ["TerminalsBucket", "Arn"]}, {"Fn::Sub": "${TerminalsBucket.Arn}/*"}],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ]}}},
    "TerminalsOriginAccessControl": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
        "OriginAccessControlConfig": {
            "Name": {"Fn::Sub": "${AWS::StackName}-terminals"}, "Description": "ontime terminals: CloudFront reads S3",
            "OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}}},
    "TerminalsIndexFunction": {"Type": "AWS::CloudFront::Function", "Properties": {
        "Name": {"Fn::Sub": "${AWS::StackName}-terminals-index"}, "AutoPublish": True,
        "FunctionConfig": {"Comment": "a folder's index.html", "Runtime": "cloudfront-js-2.0"},
        "FunctionCode": INDEX_FUNCTION}},
    "TerminalsDistribution": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Comment": {"Fn::Sub": "${AWS::StackName}: the ontime terminals"},
        "Enabled": True, "HttpVersion": "http2and3", "IPV6Enabled": True, "PriceClass": "PriceClass_100",
        "Origins": [{"Id": "terminals", "DomainName": {"Fn::GetAtt": ["TerminalsBucket", "RegionalDomainName"]},
                     "S3OriginConfig": {"OriginAccessIdentity": ""},
                     "OriginAccessControlId": {"Fn::GetAtt": ["TerminalsOriginAccessControl", "Id"]}}],
        "DefaultCacheBehavior": {
            "TargetOriginId": "terminals", "ViewerProtocolPolicy": "redirect-to-https", "Compress": True,
            "AllowedMethods": ["GET", "HEAD"], "CachedMethods": ["GET", "HEAD"],
            "CachePolicyId": CACHING_OPTIMIZED, "ResponseHeadersPolicyId": SECURITY_HEADERS,
            "FunctionAssociations": [{"EventType": "viewer-request",
                                      "FunctionARN": {"Fn::GetAtt": ["TerminalsIndexFunction", "FunctionARN"]}}]},
    }}},
    "SignInUserPool": {
        "Type": "AWS::Cognito::UserPool", "Condition": "CreatesUserPool",
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Metadata": {"Why": "The terminals' users when the operator brings no issuer. Administrators create "
                            "them (no self sign-up: a user without a group has no role) and put each in its "
                            "role's group; a merchant's staff get custom:merchant_id, a supplier's "
                            "custom:supplier_id."},
        "Properties": {
            "UserPoolName": {"Ref": "AWS::StackName"},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "AutoVerifiedAttributes": ["email"],
            "DeletionProtection": "ACTIVE",
            "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireLowercase": True, "RequireNumbers": True,
                                            "RequireUppercase": True, "RequireSymbols": False,
                                            "TemporaryPasswordValidityDays": 7}},
            "Schema": [{"Name": name, "AttributeDataType": "String", "Mutable": True,
                        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}}
                       for name in CUSTOM_ATTRIBUTES],
        }},
    "SignInDomain": {"Type": "AWS::Cognito::UserPoolDomain", "Condition": "CreatesUserPool", "Properties": {
        "UserPoolId": {"Ref": "SignInUserPool"}, "Domain": {"Fn::Sub": "${AWS::StackName}-${AWS::AccountId}"}}},
    "SignInClient": {"Type": "AWS::Cognito::UserPoolClient", "Condition": "CreatesUserPool", "Properties": {
        "UserPoolId": {"Ref": "SignInUserPool"}, "ClientName": "terminals", "GenerateSecret": False,
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": list(SCOPES), "SupportedIdentityProviders": ["COGNITO"],
        "CallbackURLs": [{"Fn::Sub": f"https://${{TerminalsDistribution.DomainName}}{CALLBACK_PAGE}"}],
        "LogoutURLs": [{"Fn::Sub": f"https://${{TerminalsDistribution.DomainName}}/{SITE_PREFIX}/"}],
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"], "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "IdTokenValidity": ID_TOKEN_HOURS, "AccessTokenValidity": ID_TOKEN_HOURS, "RefreshTokenValidity": 1,
        "TokenValidityUnits": {"IdToken": "hours", "AccessToken": "hours", "RefreshToken": "days"},
        "ReadAttributes": ["email", "name", *(f"custom:{name}" for name in CUSTOM_ATTRIBUTES)],
        # Without this a user could set their own custom:merchant_id with their access token.
        "WriteAttributes": ["email", "name"],
    }},
    **_groups(),
}

OUTPUTS: dict[str, Any] = {
    "TerminalsURL": {"Description": "The terminals (static site)", "Value": {
        "Fn::Sub": f"https://${{TerminalsDistribution.DomainName}}/{SITE_PREFIX}/"}},
    "TerminalsBucketName": {"Description": "Where deploy.sh uploads the terminals",
                            "Value": {"Ref": "TerminalsBucket"}},
    "TerminalsDistributionId": {"Description": "Invalidated after each upload",
                                "Value": {"Ref": "TerminalsDistribution"}},
    "SignInAuthorizeURL": {"Value": {"Fn::If": ["CreatesUserPool", {"Fn::Sub": f"{HOSTED_LOGIN}/oauth2/authorize"},
                                                {"Ref": "SignInAuthorizeUrl"}]}},
    "SignInTokenURL": {"Value": {"Fn::If": ["CreatesUserPool", {"Fn::Sub": f"{HOSTED_LOGIN}/oauth2/token"},
                                            {"Ref": "SignInTokenUrl"}]}},
    "SignInClientId": {"Value": {"Fn::If": ["CreatesUserPool", {"Ref": "SignInClient"}, {"Ref": "SignInClientId"}]}},
    "SignInRedirectURL": {"Description": "The redirect URI the login's client must allow", "Value": {
        "Fn::Sub": f"https://${{TerminalsDistribution.DomainName}}{CALLBACK_PAGE}"}},
    "SignInScopes": {"Value": " ".join(SCOPES)},
    "SignInUserPoolId": {"Condition": "CreatesUserPool", "Description": "Create the terminals' users here",
                         "Value": {"Ref": "SignInUserPool"}},
    "JwtIssuerURL": {"Description": "The iss the API accepts", "Value": ISSUER},
}
