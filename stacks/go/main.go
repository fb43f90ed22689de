// The same two pipelines as stacks/yaml/, from Go: one into an existing audience, one into a new
// audience on the first one's connections. polytomic.local/sdk is the SDK generated from the
// component provider's schema into sdks/polytomic (the repository's
// `python -m polytomic_components init-project .` makes it; go.mod replaces the module with it).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"polytomic.local/sdk/polytomic"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		linkedinAccount := cfg.Require("linkedinAccount")

		// Into an existing audience; creates the Snowflake and LinkedIn Ads connections.
		newsletterSubscribers, err := polytomic.NewLinkedInAudiencePipeline(ctx, "newsletter-subscribers",
			&polytomic.LinkedInAudiencePipelineArgs{
				ModelName: "Newsletter subscribers",
				Query:     "SELECT email, first_name, last_name FROM users WHERE is_active",
				Source: &polytomic.SnowflakeSourceArgs{
					Account:  cfg.Require("snowflakeAccount"),
					Username: cfg.Require("snowflakeUser"),
					Dbname:   cfg.Require("snowflakeDatabase"),
					Password: cfg.RequireSecret("snowflakePassword"),
				},
				Destination: &polytomic.LinkedInDestinationArgs{
					Accounts:          []string{linkedinAccount},
					ClientId:          cfg.RequireSecret("linkedinClientId"),
					ClientSecret:      cfg.RequireSecret("linkedinClientSecret"),
					OauthRefreshToken: cfg.RequireSecret("linkedinRefreshToken"),
				},
				AudienceId: pulumi.String(cfg.Require("newsletterAudience")),
				// A value is a LinkedIn field id or a polytomic.FieldSettingArgs. The schema says so (a
				// oneOf), but Go has no union type and Pulumi's Go code generator writes any oneOf as
				// interface{} (still so in v3.274), so the compiler checks no value here: the component
				// does, at `pulumi preview`, naming the property (`fields.title`).
				Fields: map[string]interface{}{
					"first_name": "FirstName",
					"last_name":  "LastName",
				},
			})
		if err != nil {
			return err
		}

		// Into a new audience that the sync creates; reuses the first pipeline's connections.
		trialSignups, err := polytomic.NewLinkedInAudiencePipeline(ctx, "trial-signups",
			&polytomic.LinkedInAudiencePipelineArgs{
				ModelName:               "Trial signups",
				Query:                   "SELECT email, first_name, last_name, title FROM users WHERE created_at >= '2025-01-01'",
				SourceConnectionId:      newsletterSubscribers.SnowflakeConnectionId,
				DestinationConnectionId: newsletterSubscribers.LinkedinConnectionId,
				Create: &polytomic.NewAudienceArgs{
					Account: linkedinAccount,
					Type:    polytomic.AudienceTypeUserAudience,
					Name:    "Trial signups (dev)",
				},
				Fields: map[string]interface{}{
					"first_name": "FirstName",
					"last_name":  "LastName",
					"title":      "Title",
				},
				Schedule: &polytomic.ScheduleArgs{Frequency: polytomic.ScheduleFrequencyDaily, Hour: 6, Minute: 0},
			})
		if err != nil {
			return err
		}

		ctx.Export("newsletterAudience", newsletterSubscribers.AudienceId)
		ctx.Export("trialSignupsAudience", trialSignups.AudienceId)
		return nil
	})
}
