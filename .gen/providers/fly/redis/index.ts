// https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface RedisConfig extends cdktf.TerraformMetaArguments {
  /**
  * Enable eviction policy.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#enable_eviction Redis#enable_eviction}
  */
  readonly enableEviction?: boolean | cdktf.IResolvable;
  /**
  * The name of the Redis database. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#name Redis#name}
  */
  readonly name: string;
  /**
  * The organization slug. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#org Redis#org}
  */
  readonly org: string;
  /**
  * The plan (e.g., free, starter, standard).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#plan Redis#plan}
  */
  readonly plan?: string;
  /**
  * The primary region. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#region Redis#region}
  */
  readonly region: string;
  /**
  * List of replica regions.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#replica_regions Redis#replica_regions}
  */
  readonly replicaRegions?: string[];
}

/**
* Represents a {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis fly_redis}
*/
export class Redis extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "fly_redis";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Redis resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Redis to import
  * @param importFromId The id of the existing Redis that should be imported. Refer to the {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Redis to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "fly_redis", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/redis fly_redis} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options RedisConfig
  */
  public constructor(scope: Construct, id: string, config: RedisConfig) {
    super(scope, id, {
      terraformResourceType: 'fly_redis',
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
    this._enableEviction = config.enableEviction;
    this._name = config.name;
    this._org = config.org;
    this._plan = config.plan;
    this._region = config.region;
    this._replicaRegions = config.replicaRegions;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // enable_eviction - computed: true, optional: true, required: false
  private _enableEviction?: boolean | cdktf.IResolvable; 
  public get enableEviction() {
    return this.getBooleanAttribute('enable_eviction');
  }
  public set enableEviction(value: boolean | cdktf.IResolvable) {
    this._enableEviction = value;
  }
  public resetEnableEviction() {
    this._enableEviction = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get enableEvictionInput() {
    return this._enableEviction;
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

  // primary_url - computed: true, optional: false, required: false
  public get primaryUrl() {
    return this.getStringAttribute('primary_url');
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

  // replica_regions - computed: true, optional: true, required: false
  private _replicaRegions?: string[]; 
  public get replicaRegions() {
    return this.getListAttribute('replica_regions');
  }
  public set replicaRegions(value: string[]) {
    this._replicaRegions = value;
  }
  public resetReplicaRegions() {
    this._replicaRegions = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get replicaRegionsInput() {
    return this._replicaRegions;
  }

  // status - computed: true, optional: false, required: false
  public get status() {
    return this.getStringAttribute('status');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      enable_eviction: cdktf.booleanToTerraform(this._enableEviction),
      name: cdktf.stringToTerraform(this._name),
      org: cdktf.stringToTerraform(this._org),
      plan: cdktf.stringToTerraform(this._plan),
      region: cdktf.stringToTerraform(this._region),
      replica_regions: cdktf.listMapper(cdktf.stringToTerraform, false)(this._replicaRegions),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      enable_eviction: {
        value: cdktf.booleanToHclTerraform(this._enableEviction),
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
      replica_regions: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._replicaRegions),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
