// https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface MpgClusterConfig extends cdktf.TerraformMetaArguments {
  /**
  * Enable PostGIS extension. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#enable_postgis MpgCluster#enable_postgis}
  */
  readonly enablePostgis?: boolean | cdktf.IResolvable;
  /**
  * The name of the cluster. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#name MpgCluster#name}
  */
  readonly name: string;
  /**
  * The organization slug. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#org MpgCluster#org}
  */
  readonly org: string;
  /**
  * PostgreSQL major version. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#pg_major_version MpgCluster#pg_major_version}
  */
  readonly pgMajorVersion?: number;
  /**
  * The plan (e.g., free, starter, standard). Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#plan MpgCluster#plan}
  */
  readonly plan?: string;
  /**
  * The primary region. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#region MpgCluster#region}
  */
  readonly region: string;
  /**
  * Volume size in GB. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#volume_size MpgCluster#volume_size}
  */
  readonly volumeSize?: number;
}

/**
* Represents a {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster fly_mpg_cluster}
*/
export class MpgCluster extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "fly_mpg_cluster";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a MpgCluster resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the MpgCluster to import
  * @param importFromId The id of the existing MpgCluster that should be imported. Refer to the {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the MpgCluster to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "fly_mpg_cluster", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/mpg_cluster fly_mpg_cluster} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options MpgClusterConfig
  */
  public constructor(scope: Construct, id: string, config: MpgClusterConfig) {
    super(scope, id, {
      terraformResourceType: 'fly_mpg_cluster',
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
    this._enablePostgis = config.enablePostgis;
    this._name = config.name;
    this._org = config.org;
    this._pgMajorVersion = config.pgMajorVersion;
    this._plan = config.plan;
    this._region = config.region;
    this._volumeSize = config.volumeSize;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // enable_postgis - computed: true, optional: true, required: false
  private _enablePostgis?: boolean | cdktf.IResolvable; 
  public get enablePostgis() {
    return this.getBooleanAttribute('enable_postgis');
  }
  public set enablePostgis(value: boolean | cdktf.IResolvable) {
    this._enablePostgis = value;
  }
  public resetEnablePostgis() {
    this._enablePostgis = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get enablePostgisInput() {
    return this._enablePostgis;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // name - computed: false, optional: false, required: true
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // org - computed: false, optional: false, required: true
  private _org?: string; 
  public get org() {
    return this.getStringAttribute('org');
  }
  public set org(value: string) {
    this._org = value;
  }
  // Temporarily expose input value. Use with caution.
  public get orgInput() {
    return this._org;
  }

  // pg_major_version - computed: true, optional: true, required: false
  private _pgMajorVersion?: number; 
  public get pgMajorVersion() {
    return this.getNumberAttribute('pg_major_version');
  }
  public set pgMajorVersion(value: number) {
    this._pgMajorVersion = value;
  }
  public resetPgMajorVersion() {
    this._pgMajorVersion = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get pgMajorVersionInput() {
    return this._pgMajorVersion;
  }

  // plan - computed: true, optional: true, required: false
  private _plan?: string; 
  public get plan() {
    return this.getStringAttribute('plan');
  }
  public set plan(value: string) {
    this._plan = value;
  }
  public resetPlan() {
    this._plan = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get planInput() {
    return this._plan;
  }

  // primary_region - computed: true, optional: false, required: false
  public get primaryRegion() {
    return this.getStringAttribute('primary_region');
  }

  // region - computed: false, optional: false, required: true
  private _region?: string; 
  public get region() {
    return this.getStringAttribute('region');
  }
  public set region(value: string) {
    this._region = value;
  }
  // Temporarily expose input value. Use with caution.
  public get regionInput() {
    return this._region;
  }

  // status - computed: true, optional: false, required: false
  public get status() {
    return this.getStringAttribute('status');
  }

  // volume_size - computed: true, optional: true, required: false
  private _volumeSize?: number; 
  public get volumeSize() {
    return this.getNumberAttribute('volume_size');
  }
  public set volumeSize(value: number) {
    this._volumeSize = value;
  }
  public resetVolumeSize() {
    this._volumeSize = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get volumeSizeInput() {
    return this._volumeSize;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      enable_postgis: cdktf.booleanToTerraform(this._enablePostgis),
      name: cdktf.stringToTerraform(this._name),
      org: cdktf.stringToTerraform(this._org),
      pg_major_version: cdktf.numberToTerraform(this._pgMajorVersion),
      plan: cdktf.stringToTerraform(this._plan),
      region: cdktf.stringToTerraform(this._region),
      volume_size: cdktf.numberToTerraform(this._volumeSize),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      enable_postgis: {
        value: cdktf.booleanToHclTerraform(this._enablePostgis),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      org: {
        value: cdktf.stringToHclTerraform(this._org),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      pg_major_version: {
        value: cdktf.numberToHclTerraform(this._pgMajorVersion),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      plan: {
        value: cdktf.stringToHclTerraform(this._plan),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      region: {
        value: cdktf.stringToHclTerraform(this._region),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      volume_size: {
        value: cdktf.numberToHclTerraform(this._volumeSize),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
