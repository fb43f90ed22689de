// The same two pipelines as stacks/yaml/, from TypeScript: one into an existing audience, one into a
// new audience on the first one's connections. `@pulumi/polytomic` is the SDK generated from the
// component provider's schema (sdks/polytomic; `pulumi install` or the repository's
// `python -m polytomic_components init-project .` makes it).
import * as pulumi from "@pulumi/pulumi";
import * as polytomic from "@pulumi/polytomic";

const config = new pulumi.Config();
const linkedinAccount = config.require("linkedinAccount");

// Into an existing audience; creates the Snowflake and LinkedIn Ads connections.
const newsletterSubscribers = new polytomic.LinkedInAudiencePipeline("newsletter-subscribers", {
    modelName: "Newsletter subscribers",
    query: "SELECT email, first_name, last_name FROM users WHERE is_active",
    source: {
        account: config.require("snowflakeAccount"),
        username: config.require("snowflakeUser"),
        dbname: config.require("snowflakeDatabase"),
        password: config.requireSecret("snowflakePassword"),
    },
    destination: {
        accounts: [linkedinAccount],
        clientId: config.requireSecret("linkedinClientId"),
        clientSecret: config.requireSecret("linkedinClientSecret"),
        oauthRefreshToken: config.requireSecret("linkedinRefreshToken"),
    },
    audienceId: config.require("newsletterAudience"),
    fields: {
        first_name: "FirstName",
        last_name: "LastName",
    },
});

// Into a new audience that the sync creates; reuses the first pipeline's connections.
const trialSignups = new polytomic.LinkedInAudiencePipeline("trial-signups", {
    modelName: "Trial signups",
    query: "SELECT email, first_name, last_name, title FROM users WHERE created_at >= '2025-01-01'",
    sourceConnectionId: newsletterSubscribers.snowflakeConnectionId,
    destinationConnectionId: newsletterSubscribers.linkedinConnectionId,
    create: {
        account: linkedinAccount,
        type: "user_audience",
        name: "Trial signups (dev)",
    },
    fields: {
        first_name: "FirstName",
        last_name: "LastName",
        title: "Title",
    },
    schedule: { frequency: "daily", hour: 6, minute: 0 },
});

export const newsletterAudience = newsletterSubscribers.audienceId;
export const trialSignupsAudience = trialSignups.audienceId;
