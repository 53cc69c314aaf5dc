//! Cognito user pool as the [`Identity`] port.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, UserStatusType,
};

use crate::aws_error::classify;
use crate::context::AppContext;
use app::ports::identity::{Identity, IdentityError, NewAccount, Tokens};
use domain::role::Role;

#[derive(Clone)]
pub struct CognitoIdentity {
    client: Client,
    user_pool_id: String,
    client_id: String,
}

impl CognitoIdentity {
    pub fn new(
        client: Client,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        Self {
            client,
            user_pool_id: user_pool_id.into(),
            client_id: client_id.into(),
        }
    }

    pub fn from_context(ctx: &AppContext) -> Self {
        let cfg = ctx.config();
        Self::new(
            ctx.cognito().clone(),
            &cfg.user_pool_id,
            &cfg.user_pool_client_id,
        )
    }

    async fn initiate(
        &self,
        flow: AuthFlowType,
        params: [(&str, &str); 2],
    ) -> Result<Tokens, IdentityError> {
        let mut req = self
            .client
            .initiate_auth()
            .auth_flow(flow)
            .client_id(&self.client_id);
        for (k, v) in params.into_iter().filter(|(k, _)| !k.is_empty()) {
            req = req.auth_parameters(k, v);
        }
        let out = req.send().await.map_err(identity_error)?;
        let result = out
            .authentication_result
            // A challenge (new password, MFA) is not offered by this pool's configuration.
            .ok_or_else(|| IdentityError::Other("sign-in answered with a challenge".into()))?;
        tokens(result)
    }
}

fn tokens(r: AuthenticationResultType) -> Result<Tokens, IdentityError> {
    Ok(Tokens {
        access_token: r
            .access_token
            .ok_or_else(|| IdentityError::Other("no access token".into()))?,
        id_token: r
            .id_token
            .ok_or_else(|| IdentityError::Other("no id token".into()))?,
        refresh_token: r.refresh_token,
        expires_in: r.expires_in,
        token_type: r.token_type.unwrap_or_else(|| "Bearer".into()),
    })
}

/// Maps Cognito's error codes to the port's errors. Messages from Cognito are passed on
/// only for the password policy, which names the rule the password broke.
fn identity_error<E, R>(err: SdkError<E, R>) -> IdentityError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err.code().map(str::to_owned);
    let message = err.message().unwrap_or_default().to_owned();
    match code.as_deref() {
        Some("UsernameExistsException" | "AliasExistsException") => IdentityError::EmailTaken,
        Some("InvalidPasswordException") => IdentityError::WeakPassword(message),
        Some("NotAuthorizedException" | "UserNotFoundException") => {
            IdentityError::InvalidCredentials
        }
        Some("UserNotConfirmedException") => IdentityError::Unconfirmed,
        Some("CodeMismatchException" | "ExpiredCodeException") => IdentityError::InvalidCode,
        Some("InvalidParameterException") => IdentityError::InvalidInput(message),
        Some("TooManyFailedAttemptsException" | "LimitExceededException") => {
            IdentityError::TooManyAttempts
        }
        _ => match classify(err) {
            (true, source) => IdentityError::Unavailable(source),
            (false, source) => IdentityError::Other(source),
        },
    }
}

impl Identity for CognitoIdentity {
    async fn register(&self, account: &NewAccount<'_>) -> Result<String, IdentityError> {
        let attr =
            |name: &str, value: &str| AttributeType::builder().name(name).value(value).build();
        let out = self
            .client
            .sign_up()
            .client_id(&self.client_id)
            .username(account.email)
            .password(account.password)
            .user_attributes(
                attr("email", account.email).map_err(|e| IdentityError::Other(e.into()))?,
            )
            .send()
            .await
            .map_err(identity_error)?;
        let sub = out.user_sub;
        // Cognito sends the confirmation code to the email itself. Grant the member role
        // now; undo the sign-up if that fails, so a retry is not refused as a duplicate.
        if let Err(err) = self.add_role(account.email, Role::Member).await {
            let _ = self.delete_account(account.email).await;
            return Err(err);
        }
        Ok(sub)
    }

    async fn unconfirmed_account(&self, email: &str) -> Result<Option<String>, IdentityError> {
        let out = match self
            .client
            .admin_get_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.code() == Some("UserNotFoundException") => return Ok(None),
            Err(e) => return Err(identity_error(e)),
        };
        if out.user_status() != Some(&UserStatusType::Unconfirmed) {
            return Ok(None);
        }
        Ok(out
            .user_attributes()
            .iter()
            .find(|a| a.name() == "sub")
            .and_then(|a| a.value())
            .map(str::to_owned))
    }

    async fn confirm_email(&self, email: &str, code: &str) -> Result<(), IdentityError> {
        self.client
            .confirm_sign_up()
            .client_id(&self.client_id)
            .username(email)
            .confirmation_code(code)
            .send()
            .await
            .map_err(|e| match identity_error(e) {
                // Cognito's answer for an account that cannot be confirmed (already
                // confirmed, or none): the same as a wrong code, telling nothing more.
                IdentityError::InvalidCredentials => IdentityError::InvalidCode,
                other => other,
            })?;
        Ok(())
    }

    async fn resend_confirmation(&self, email: &str) -> Result<(), IdentityError> {
        match self
            .client
            .resend_confirmation_code()
            .client_id(&self.client_id)
            .username(email)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Nothing to send; say nothing that tells whether the account exists.
            Err(e)
                if matches!(
                    e.code(),
                    Some("UserNotFoundException" | "InvalidParameterException")
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(identity_error(e)),
        }
    }

    async fn delete_account(&self, email: &str) -> Result<(), IdentityError> {
        self.client
            .admin_delete_user()
            .user_pool_id(&self.user_pool_id)
            .username(email)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn sign_in(&self, email: &str, password: &str) -> Result<Tokens, IdentityError> {
        self.initiate(
            AuthFlowType::UserPasswordAuth,
            [("USERNAME", email), ("PASSWORD", password)],
        )
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdentityError> {
        self.initiate(
            AuthFlowType::RefreshTokenAuth,
            [("REFRESH_TOKEN", refresh_token), ("", "")],
        )
        .await
    }

    async fn add_role(&self, username: &str, role: Role) -> Result<(), IdentityError> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .group_name(role.as_str())
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn remove_role(&self, username: &str, role: Role) -> Result<(), IdentityError> {
        self.client
            .admin_remove_user_from_group()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .group_name(role.as_str())
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn roles(&self, username: &str) -> Result<Vec<Role>, IdentityError> {
        let out = self
            .client
            .admin_list_groups_for_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(identity_error)?;
        let mut roles: Vec<Role> = out
            .groups()
            .iter()
            .filter_map(|g| g.group_name().and_then(Role::parse))
            .collect();
        roles.sort();
        Ok(roles)
    }

    async fn sign_out_everywhere(&self, username: &str) -> Result<(), IdentityError> {
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }
}
