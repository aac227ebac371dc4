// https://registry.terraform.io/providers/stategraph/fly/latest/docs/data-sources/oidc_token
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface DataFlyOidcTokenConfig extends cdktf.TerraformMetaArguments {
  /**
  * The audience claim for the OIDC token.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/data-sources/oidc_token#aud DataFlyOidcToken#aud}
  */
  readonly aud?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/data-sources/oidc_token fly_oidc_token}
*/
export class DataFlyOidcToken extends cdktf.TerraformDataSource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "fly_oidc_token";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a DataFlyOidcToken resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the DataFlyOidcToken to import
  * @param importFromId The id of the existing DataFlyOidcToken that should be imported. Refer to the {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/data-sources/oidc_token#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the DataFlyOidcToken to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "fly_oidc_token", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/data-sources/oidc_token fly_oidc_token} Data Source
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options DataFlyOidcTokenConfig = {}
  */
  public constructor(scope: Construct, id: string, config: DataFlyOidcTokenConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'fly_oidc_token',
      terraformGeneratorMetadata: {
        providerName: 'fly',
        providerVersionConstraint: '= 0.2.4'
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._aud = config.aud;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // aud - computed: false, optional: true, required: false
  private _aud?: string; 
  public get aud() {
    return this.getStringAttribute('aud');
  }
  public set aud(value: string) {
    this._aud = value;
  }
  public resetAud() {
    this._aud = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get audInput() {
    return this._aud;
  }

  // token - computed: true, optional: false, required: false
  public get token() {
    return this.getStringAttribute('token');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      aud: cdktf.stringToTerraform(this._aud),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      aud: {
        value: cdktf.stringToHclTerraform(this._aud),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
