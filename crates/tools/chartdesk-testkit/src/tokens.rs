//! Tokens for a demo user, signed in through the local cloud's Cognito with the password flow
//! (the flow the sandbox uses: moto checks the password there).

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use chartdesk::cloud::CloudClients;

use crate::Cloud;

/// What a sign-in hands out.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub id: String,
    pub refresh: String,
}

impl Cloud {
    /// Signs the demo user `username` in with the sandbox's app client.
    pub async fn tokens(&self, username: &str) -> Tokens {
        self.tokens_for_client(username, &self.report.client_id)
            .await
    }

    /// As `tokens`, through another app client of the pool.
    pub async fn tokens_for_client(&self, username: &str, client_id: &str) -> Tokens {
        let clients = CloudClients::new(&self.profile()).await;
        let out = clients
            .cognito
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", self.password(username))
            .send()
            .await
            .unwrap_or_else(|e| panic!("signing {username} in: {e:?}"));
        let result = out
            .authentication_result()
            .unwrap_or_else(|| panic!("{username} was asked a challenge, not signed in"));
        Tokens {
            access: result.access_token().unwrap().to_string(),
            id: result.id_token().unwrap().to_string(),
            refresh: result.refresh_token().unwrap_or_default().to_string(),
        }
    }
}
