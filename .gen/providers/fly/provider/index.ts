// https://registry.terraform.io/providers/stategraph/fly/latest/docs
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface FlyProviderConfig {
  /**
  * Fly.io API token. Can also be set via FLY_API_TOKEN environment variable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#api_token FlyProvider#api_token}
  */
  readonly apiToken?: string;
  /**
  * Fly.io Machines API base URL. Defaults to https://api.machines.dev/v1. Can also be set via FLY_API_URL.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#api_url FlyProvider#api_url}
  */
  readonly apiUrl?: string;
  /**
  * When true, flyctl commands are logged but not executed. Useful for previewing what commands would run. Can also be set via FLY_DRY_RUN.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#dry_run FlyProvider#dry_run}
  */
  readonly dryRun?: boolean | cdktf.IResolvable;
  /**
  * Path to the flyctl binary. Can also be set via FLYCTL_PATH. If unset, searches PATH for flyctl or fly.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#flyctl_path FlyProvider#flyctl_path}
  */
  readonly flyctlPath?: string;
  /**
  * Default Fly.io organization slug. Can also be set via FLY_ORG.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#org_slug FlyProvider#org_slug}
  */
  readonly orgSlug?: string;
  /**
  * Alias name
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#alias FlyProvider#alias}
  */
  readonly alias?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs fly}
*/
export class FlyProvider extends cdktf.TerraformProvider {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "fly";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a FlyProvider resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the FlyProvider to import
  * @param importFromId The id of the existing FlyProvider that should be imported. Refer to the {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the FlyProvider to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "fly", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs fly} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options FlyProviderConfig = {}
  */
  public constructor(scope: Construct, id: string, config: FlyProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'fly',
      terraformGeneratorMetadata: {
        providerName: 'fly',
        providerVersionConstraint: '= 0.2.4'
      },
      terraformProviderSource: 'stategraph/fly'
    });
    this._apiToken = config.apiToken;
    this._apiUrl = config.apiUrl;
    this._dryRun = config.dryRun;
    this._flyctlPath = config.flyctlPath;
    this._orgSlug = config.orgSlug;
    this._alias = config.alias;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // api_token - computed: false, optional: true, required: false
  private _apiToken?: string; 
  public get apiToken() {
    return this._apiToken;
  }
  public set apiToken(value: string | undefined) {
    this._apiToken = value;
  }
  public resetApiToken() {
    this._apiToken = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get apiTokenInput() {
    return this._apiToken;
  }

  // api_url - computed: false, optional: true, required: false
  private _apiUrl?: string; 
  public get apiUrl() {
    return this._apiUrl;
  }
  public set apiUrl(value: string | undefined) {
    this._apiUrl = value;
  }
  public resetApiUrl() {
    this._apiUrl = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get apiUrlInput() {
    return this._apiUrl;
  }

  // dry_run - computed: false, optional: true, required: false
  private _dryRun?: boolean | cdktf.IResolvable; 
  public get dryRun() {
    return this._dryRun;
  }
  public set dryRun(value: boolean | cdktf.IResolvable | undefined) {
    this._dryRun = value;
  }
  public resetDryRun() {
    this._dryRun = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get dryRunInput() {
    return this._dryRun;
  }

  // flyctl_path - computed: false, optional: true, required: false
  private _flyctlPath?: string; 
  public get flyctlPath() {
    return this._flyctlPath;
  }
  public set flyctlPath(value: string | undefined) {
    this._flyctlPath = value;
  }
  public resetFlyctlPath() {
    this._flyctlPath = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get flyctlPathInput() {
    return this._flyctlPath;
  }

  // org_slug - computed: false, optional: true, required: false
  private _orgSlug?: string; 
  public get orgSlug() {
    return this._orgSlug;
  }
  public set orgSlug(value: string | undefined) {
    this._orgSlug = value;
  }
  public resetOrgSlug() {
    this._orgSlug = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get orgSlugInput() {
    return this._orgSlug;
  }

  // alias - computed: false, optional: true, required: false
  private _alias?: string; 
  public get alias() {
    return this._alias;
  }
  public set alias(value: string | undefined) {
    this._alias = value;
  }
  public resetAlias() {
    this._alias = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aliasInput() {
    return this._alias;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      api_token: cdktf.stringToTerraform(this._apiToken),
      api_url: cdktf.stringToTerraform(this._apiUrl),
      dry_run: cdktf.booleanToTerraform(this._dryRun),
      flyctl_path: cdktf.stringToTerraform(this._flyctlPath),
      org_slug: cdktf.stringToTerraform(this._orgSlug),
      alias: cdktf.stringToTerraform(this._alias),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      api_token: {
        value: cdktf.stringToHclTerraform(this._apiToken),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      api_url: {
        value: cdktf.stringToHclTerraform(this._apiUrl),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      dry_run: {
        value: cdktf.booleanToHclTerraform(this._dryRun),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      flyctl_path: {
        value: cdktf.stringToHclTerraform(this._flyctlPath),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      org_slug: {
        value: cdktf.stringToHclTerraform(this._orgSlug),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      alias: {
        value: cdktf.stringToHclTerraform(this._alias),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
