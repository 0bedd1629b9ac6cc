//! The sandbox user pool: public app client, role groups and demo users.

use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AuthFlowType, ExplicitAuthFlowsType, MessageActionType,
    PasswordPolicyType, PreventUserExistenceErrorTypes, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType, UserPoolPolicyType,
};
use aws_sdk_cognitoidentityprovider::Client;

use super::{CLIENT_NAME, POOL_NAME};
use chartdesk_domain::Role;
use chartdesk_records::store::{classify, Failure};
use chartdesk_signin::PasswordPolicy;

/// A demo account. The passwords are public (README): the sandbox holds no real data.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Option<Role>,
    /// Admin-created with a temporary password: must choose a new one at first sign-in.
    pub must_change_password: bool,
    /// Enrolled in TOTP (authenticator app) MFA.
    pub totp: bool,
}

pub fn demo_users() -> &'static [DemoUser] {
    &[
        DemoUser {
            username: "dr.okafor",
            password: "Demo-Clinician-2026!",
            role: Some(Role::Clinician),
            must_change_password: false,
            totp: false,
        },
        DemoUser {
            username: "nurse.hughes",
            password: "Demo-WardStaff-2026!",
            role: Some(Role::WardStaff),
            must_change_password: false,
            totp: false,
        },
        DemoUser {
            username: "admin.byrne",
            password: "Demo-RecordsAdmin-2026!",
            role: Some(Role::RecordsAdmin),
            must_change_password: false,
            totp: false,
        },
        DemoUser {
            username: "visitor.lee",
            password: "Demo-NoAccess-2026!",
            role: None,
            must_change_password: false,
            totp: false,
        },
        DemoUser {
            username: "new.starter",
            password: "Temporary-Pass-2026!",
            role: Some(Role::Clinician),
            must_change_password: true,
            totp: false,
        },
        DemoUser {
            username: "dr.mfa",
            password: "Demo-Mfa-Clinician-2026!",
            role: Some(Role::Clinician),
            must_change_password: false,
            totp: true,
        },
    ]
}

/// The sandbox pool's rules; also written to the profile so the app can show them.
pub fn sandbox_password_policy() -> PasswordPolicy {
    PasswordPolicy {
        min_length: 12,
        ..PasswordPolicy::default()
    }
}

pub struct PoolIds {
    pub pool_id: String,
    pub client_id: String,
    /// The authenticator secret of the TOTP demo user (shown to testers).
    pub totp_secret: Option<String>,
}

pub async fn ensure(cognito: &Client) -> Result<PoolIds, Failure> {
    let pool_id = ensure_pool(cognito).await?;
    let client_id = ensure_client(cognito, &pool_id).await?;
    // MFA optional, by authenticator app: users who enrolled are asked for a code.
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .map_err(classify)?;
    for role in Role::ALL {
        let created = cognito
            .create_group()
            .user_pool_id(&pool_id)
            .group_name(role.group())
            .send()
            .await
            .map_err(classify);
        match created {
            Ok(_) => {}
            Err(f) if f.code() == Some("GroupExistsException") => {}
            Err(f) => return Err(f),
        }
    }
    let mut totp_secret = None;
    for user in demo_users() {
        let created = ensure_user(cognito, &pool_id, user).await?;
        if user.totp {
            let secret = enrol_totp(cognito, &pool_id, &client_id, user, created).await?;
            totp_secret = Some(secret);
        }
    }
    Ok(PoolIds {
        pool_id,
        client_id,
        totp_secret,
    })
}

async fn ensure_pool(cognito: &Client) -> Result<String, Failure> {
    let pools = cognito
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .map_err(classify)?;
    if let Some(id) = pools
        .user_pools()
        .iter()
        .find(|p| p.name() == Some(POOL_NAME))
        .and_then(|p| p.id())
    {
        return Ok(id.to_string());
    }
    let p = sandbox_password_policy();
    let policy = PasswordPolicyType::builder()
        .minimum_length(p.min_length as i32)
        .require_uppercase(p.require_uppercase)
        .require_lowercase(p.require_lowercase)
        .require_numbers(p.require_numbers)
        .require_symbols(p.require_symbols)
        .build();
    let out = cognito
        .create_user_pool()
        .pool_name(POOL_NAME)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .send()
        .await
        .map_err(classify)?;
    out.user_pool()
        .and_then(|p| p.id())
        .map(str::to_string)
        .ok_or_else(|| Failure::Client("CreateUserPool returned no id".into()))
}

async fn ensure_client(cognito: &Client, pool_id: &str) -> Result<String, Failure> {
    let clients = cognito
        .list_user_pool_clients()
        .user_pool_id(pool_id)
        .max_results(60)
        .send()
        .await
        .map_err(classify)?;
    if let Some(id) = clients
        .user_pool_clients()
        .iter()
        .find(|c| c.client_name() == Some(CLIENT_NAME))
        .and_then(|c| c.client_id())
    {
        return Ok(id.to_string());
    }
    // A desktop app cannot keep a secret: public client.
    let out = cognito
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(CLIENT_NAME)
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .map_err(classify)?;
    out.user_pool_client()
        .and_then(|c| c.client_id())
        .map(str::to_string)
        .ok_or_else(|| Failure::Client("CreateUserPoolClient returned no id".into()))
}

/// Returns whether the user was created by this call.
async fn ensure_user(cognito: &Client, pool_id: &str, user: &DemoUser) -> Result<bool, Failure> {
    let existing = cognito
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(user.username)
        .send()
        .await
        .map_err(classify);
    match existing {
        Ok(_) => return Ok(false),
        Err(f) if f.code() == Some("UserNotFoundException") => {}
        Err(f) => return Err(f),
    }
    cognito
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(user.username)
        .temporary_password(user.password)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .map_err(classify)?;
    if !user.must_change_password {
        cognito
            .admin_set_user_password()
            .user_pool_id(pool_id)
            .username(user.username)
            .password(user.password)
            .permanent(true)
            .send()
            .await
            .map_err(classify)?;
    }
    if let Some(role) = user.role {
        cognito
            .admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(user.username)
            .group_name(role.group())
            .send()
            .await
            .map_err(classify)?;
    }
    Ok(true)
}

/// Enrols a new user's authenticator as the user would: sign in, associate a software token,
/// verify a code, prefer TOTP. For an existing user only the secret is fetched again.
async fn enrol_totp(
    cognito: &Client,
    pool_id: &str,
    client_id: &str,
    user: &DemoUser,
    created: bool,
) -> Result<String, Failure> {
    let bad = |what: &str| Failure::Client(format!("TOTP enrolment: {what}"));
    if !created {
        // The secret cannot be read back without signing in past MFA; moto uses one fixed secret,
        // so associating a fresh token for an already-enrolled user is neither needed nor possible.
        return Ok(super::MOTO_TOTP_SECRET.to_string());
    }
    let auth = cognito
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(client_id)
        .auth_parameters("USERNAME", user.username)
        .auth_parameters("PASSWORD", user.password)
        .send()
        .await
        .map_err(classify)?;
    let access = auth
        .authentication_result()
        .and_then(|r| r.access_token())
        .ok_or_else(|| bad("no access token"))?
        .to_string();
    let secret = cognito
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .map_err(classify)?
        .secret_code()
        .ok_or_else(|| bad("no secret"))?
        .to_string();
    let code = super::totp::fresh_code(&secret)
        .await
        .map_err(|e| bad(&e.to_string()))?;
    cognito
        .verify_software_token()
        .access_token(&access)
        .user_code(code)
        .friendly_device_name("sandbox authenticator")
        .send()
        .await
        .map_err(classify)?;
    cognito
        .admin_set_user_mfa_preference()
        .user_pool_id(pool_id)
        .username(user.username)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .map_err(classify)?;
    Ok(secret)
}
